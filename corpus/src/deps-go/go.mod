module example.com/binsight/depsgo

go 1.19

require (
	example.com/checksum/v2 v2.1.0
	example.com/greeting v0.3.0
	example.com/kvparse v1.0.0
	example.com/legacy v3.1.0+incompatible
	example.com/textwrap v1.4.2
	example.org/colors v0.0.0-20240105093000-5f1d3c2b7a90
)

require example.com/runes v0.2.0 // indirect

// v1.0.0 mis-parses spaces around '='; v1.0.1 fixes it.
replace example.com/kvparse v1.0.0 => example.com/kvparse v1.0.1

// A local fork.
replace example.com/greeting => ./localmods/greeting
