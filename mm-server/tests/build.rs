//! Links the test client with the user-program linker script of Nun.

fn main() {
    let directory = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{directory}/../../koito/nun/user.ld");
    println!("cargo:rerun-if-changed=../../koito/nun/user.ld");
}
