module binsight.invalid/corpus/go-hello

go 1.19
