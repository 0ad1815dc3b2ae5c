//! Corpus fixture: prints a line and resolves a host name, so getaddrinfo is linked.
use std::net::ToSocketAddrs;

fn main() {
    println!("hello from rust-hello");
    let host = std::env::args().nth(1).unwrap_or_else(|| "localhost".to_string());
    match (host.as_str(), 80).to_socket_addrs() {
        Ok(addrs) => {
            for a in addrs {
                println!("{host} -> {}", a.ip());
            }
        }
        Err(e) => println!("{host}: {e}"),
    }
}
