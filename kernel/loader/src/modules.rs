//! Boot modules: every regular file of `\a9n\modules\`, each in its own kept block.

use alloc::format;
use alloc::vec::Vec;

use a9n_abi::boot::{BootModule, MODULE_CAPACITY, MODULE_NAME_CAPACITY};

use crate::console::say;
use crate::error::LoaderError;
use crate::files::Volume;
use crate::kept_memory::{KeptBlock, pages_for};

/// Directory the modules come from.
pub const MODULE_DIRECTORY: &str = "\\a9n\\modules";

/// Loads every module, sorted by name; none if the directory does not exist.
pub fn load_all(volume: &mut Volume) -> Result<Vec<BootModule>, LoaderError> {
    let Some(entries) = volume.list_directory(MODULE_DIRECTORY)? else {
        say!("no {MODULE_DIRECTORY} directory, no modules");
        return Ok(Vec::new());
    };
    if entries.len() > MODULE_CAPACITY {
        return Err(LoaderError::new(
            format_args!(
                "too many modules: {}, at most {MODULE_CAPACITY}",
                entries.len()
            ),
            MODULE_DIRECTORY,
        ));
    }
    let mut modules = Vec::with_capacity(entries.len());
    for entry in entries {
        let path = format!("{MODULE_DIRECTORY}\\{}", entry.name);
        let name_bytes = entry.name.as_bytes();
        if name_bytes.len() > MODULE_NAME_CAPACITY - 1 {
            return Err(LoaderError::new(
                format_args!("module name longer than {} bytes", MODULE_NAME_CAPACITY - 1),
                path,
            ));
        }
        let mut file = volume.open_file(&path)?;
        let size = file.size();
        // The block is zeroed, so the tail of the last page is zero too.
        let mut block = KeptBlock::allocate(pages_for(size) as usize, &path)?;
        file.read_exact_at(0, &mut block.bytes_mut()[..size as usize])?;
        let mut module = BootModule {
            physical_address: block.address(),
            size,
            ..BootModule::default()
        };
        module.name[..name_bytes.len()].copy_from_slice(name_bytes);
        say!(
            "module {} {size} bytes at {:#x}",
            entry.name,
            block.address()
        );
        modules.push(module);
    }
    Ok(modules)
}
