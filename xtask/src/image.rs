//! Laying out a boot image: the FAT directory that QEMU serves as a disk, holding
//! `EFI/BOOT/BOOTX64.EFI` (the loader), `a9n/kernel.elf`, `a9n/init.elf` and the
//! boot modules in `a9n/modules/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::guest_build::{self, GuestBinaries};

/// What goes into an image. Tests use the `Option`s to build broken images.
pub struct ImageContents {
    /// The loader.
    pub loader: PathBuf,
    /// The kernel file's bytes come from here...
    pub kernel: Option<PathBuf>,
    /// ...unless these bytes are given instead (a deliberately bad kernel).
    pub kernel_bytes: Option<Vec<u8>>,
    /// The init ELF (`None`: the image has no init, a broken boot).
    pub init: Option<PathBuf>,
    /// Boot modules: file name and source path.
    pub modules: Vec<(String, PathBuf)>,
}

impl ImageContents {
    /// A complete image of the given binaries.
    pub fn complete(binaries: &GuestBinaries) -> Self {
        Self {
            loader: binaries.loader.clone(),
            kernel: Some(binaries.kernel.clone()),
            kernel_bytes: None,
            init: Some(binaries.init.clone()),
            modules: Vec::new(),
        }
    }
}

fn copy(source: &Path, destination: &Path) -> Result<(), String> {
    fs::copy(source, destination).map(drop).map_err(|error| {
        format!(
            "cannot copy {} to {}: {error}",
            source.display(),
            destination.display()
        )
    })
}

fn create_directory(directory: &Path) -> Result<(), String> {
    fs::create_dir_all(directory)
        .map_err(|error| format!("cannot create {}: {error}", directory.display()))
}

/// Writes `contents` as a fresh image directory at `directory`.
pub fn lay_out(directory: &Path, contents: &ImageContents) -> Result<(), String> {
    if directory.exists() {
        fs::remove_dir_all(directory)
            .map_err(|error| format!("cannot clear {}: {error}", directory.display()))?;
    }
    let boot = directory.join("EFI").join("BOOT");
    let system = directory.join("a9n");
    let modules = system.join("modules");
    create_directory(&boot)?;
    create_directory(&modules)?;
    copy(&contents.loader, &boot.join("BOOTX64.EFI"))?;
    if let Some(bytes) = &contents.kernel_bytes {
        fs::write(system.join("kernel.elf"), bytes)
            .map_err(|error| format!("cannot write kernel.elf: {error}"))?;
    } else if let Some(kernel) = &contents.kernel {
        copy(kernel, &system.join("kernel.elf"))?;
    }
    if let Some(init) = &contents.init {
        copy(init, &system.join("init.elf"))?;
    }
    for (name, source) in &contents.modules {
        copy(source, &modules.join(name))?;
    }
    Ok(())
}

/// Directory of the image called `name`.
pub fn image_directory(root: &Path, name: &str) -> PathBuf {
    guest_build::output_directory(root)
        .join("images")
        .join(name)
}

/// File name of the memory server's boot module (init starts it when present).
pub const MEMORY_SERVER_MODULE: &str = "mm-server.elf";
/// File name of the memory server's test client module (test images only: init
/// starts it when present, and it ends QEMU when done).
pub const MEMORY_TESTS_MODULE: &str = "mm-tests.elf";
/// File name of the memory server's benchmark module (the benchmark image only).
pub const MEMORY_BENCHMARK_MODULE: &str = "mm-bench.elf";

/// File name of the boot manifest module (init reads it to know what to start).
pub const MANIFEST_MODULE: &str = "boot.manifest";
/// File name of posix-server's boot module (listed in `rootfs/boot/manifest`).
pub const POSIX_SERVER_MODULE: &str = "posix-server.elf";
/// File name of the root image module (a ustar archive of `rootfs/` and the
/// programs; init maps it into posix-server's space).
pub const ROOT_IMAGE_MODULE: &str = "rootfs.tar";

/// The boot modules of the default image (`cargo xtask run`, the boot tests that
/// boot KOITO's init): the memory server, posix-server, the root image and the
/// boot manifest of `rootfs/boot/manifest`.
pub fn koito_modules(root: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut modules = koito_modules_with(root, "default", &[])?;
    modules.push((
        POSIX_SERVER_MODULE.to_owned(),
        guest_build::build_posix_server(root)?,
    ));
    modules.push((ROOT_IMAGE_MODULE.to_owned(), build_root_image(root)?));
    Ok(modules)
}

/// Builds the userland programs and writes the root image: `rootfs/` and each
/// program `X` as `bin/X`.
pub fn build_root_image(root: &Path) -> Result<PathBuf, String> {
    let programs = crate::userland_build::build_programs(root)?;
    let directory = guest_build::output_directory(root);
    create_directory(&directory)?;
    let output = directory.join(ROOT_IMAGE_MODULE);
    crate::root_image::build(&root.join("rootfs"), &programs, &output)
        .map_err(|error| format!("cannot write {}: {error}", output.display()))?;
    Ok(output)
}

/// The boot modules of an image whose manifest also lists `programs` (module
/// name, its file, its manifest line after the module name), which join the
/// modules: `rootfs/boot/manifest` plus their lines, written for image `name`.
/// Servers of the manifest whose module is not among them (posix-server) are not
/// started.
pub fn koito_modules_with(
    root: &Path,
    name: &str,
    programs: &[(&str, PathBuf, &str)],
) -> Result<Vec<(String, PathBuf)>, String> {
    let source = root.join("rootfs").join("boot").join("manifest");
    let mut manifest = fs::read_to_string(&source)
        .map_err(|error| format!("cannot read {}: {error}", source.display()))?;
    let mut modules = vec![(
        MEMORY_SERVER_MODULE.to_owned(),
        guest_build::build_memory_server(root)?,
    )];
    for (module, file, line) in programs {
        manifest.push_str(&format!("{module} {line}\n"));
        modules.push(((*module).to_owned(), file.clone()));
    }
    let directory = guest_build::output_directory(root).join("manifests");
    create_directory(&directory)?;
    let written = directory.join(format!("{name}.manifest"));
    fs::write(&written, manifest)
        .map_err(|error| format!("cannot write {}: {error}", written.display()))?;
    modules.push((MANIFEST_MODULE.to_owned(), written));
    Ok(modules)
}

/// Builds everything and lays out the standard image called `name`.
pub fn build_standard_image(
    root: &Path,
    name: &str,
    kernel_features: &[String],
) -> Result<PathBuf, String> {
    let binaries = guest_build::build_all(root, kernel_features)?;
    let directory = image_directory(root, name);
    let mut contents = ImageContents::complete(&binaries);
    contents.modules = koito_modules(root)?;
    lay_out(&directory, &contents)?;
    Ok(directory)
}
