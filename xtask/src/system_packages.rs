//! Finding QEMU and OVMF, and installing them with apt-get when they are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The QEMU binary.
pub const QEMU: &str = "qemu-system-x86_64";

/// Where Debian and Ubuntu put the OVMF firmware code, in order of preference.
const OVMF_CANDIDATES: [&str; 4] = [
    "/usr/share/OVMF/OVMF_CODE.fd",
    "/usr/share/OVMF/OVMF_CODE_4M.fd",
    "/usr/share/ovmf/OVMF.fd",
    "/usr/share/qemu/OVMF.fd",
];

/// The Debian packages that provide them.
const PACKAGES: [&str; 2] = ["qemu-system-x86", "ovmf"];

/// Paths of the tools a boot needs.
#[derive(Clone, Debug)]
pub struct Emulator {
    /// `qemu-system-x86_64`.
    pub qemu: PathBuf,
    /// OVMF firmware code (read-only flash).
    pub ovmf_code: PathBuf,
    /// The matching OVMF variable store template, if installed (each boot gets a
    /// writable copy: with it the firmware reports its flash as device memory,
    /// which the memory server's device test maps).
    pub ovmf_variables: Option<PathBuf>,
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join(name))
        .find(|candidate| candidate.is_file())
}

/// `OVMF_CODE*.fd` -> `OVMF_VARS*.fd`.
fn variables_name_of(code: &Path) -> String {
    code.file_name()
        .and_then(|name| name.to_str())
        .map(|name| name.replace("CODE", "VARS"))
        .unwrap_or_default()
}

fn find() -> Option<Emulator> {
    let qemu = find_in_path(QEMU)?;
    let ovmf_code = OVMF_CANDIDATES
        .iter()
        .map(Path::new)
        .find(|candidate| candidate.is_file())?
        .to_path_buf();
    let ovmf_variables = ovmf_code
        .with_file_name(variables_name_of(&ovmf_code))
        .is_file()
        .then(|| ovmf_code.with_file_name(variables_name_of(&ovmf_code)));
    Some(Emulator {
        qemu,
        ovmf_code,
        ovmf_variables,
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn run_apt(arguments: &[&str]) -> Result<(), String> {
    let mut command = if is_root() {
        Command::new("apt-get")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.arg("apt-get");
        sudo
    };
    command
        .args(arguments)
        .env("DEBIAN_FRONTEND", "noninteractive");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!(
            "apt-get {} exited with {status}",
            arguments.join(" ")
        )),
        Err(error) => Err(format!("cannot run apt-get: {error}")),
    }
}

/// Finds QEMU and OVMF; when either is missing, installs both with apt-get (as root,
/// or through sudo), saying so first. Fails with the exact command to run by hand.
pub fn ensure_qemu_and_ovmf() -> Result<Emulator, String> {
    if let Some(emulator) = find() {
        return Ok(emulator);
    }
    let manual = format!(
        "sudo apt-get update && sudo apt-get install -y {}",
        PACKAGES.join(" ")
    );
    println!(
        "xtask: QEMU or OVMF is missing; installing the Debian packages {} with apt-get",
        PACKAGES.join(", ")
    );
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(PACKAGES);
    run_apt(&["update"])
        .and_then(|()| run_apt(&install))
        .map_err(|error| format!("{error}; install them by hand with: {manual}"))?;
    find().ok_or_else(|| {
        format!("QEMU or OVMF still missing after apt-get; install them with: {manual}")
    })
}
