//! Reading files from the loader's own FAT volume (the device it was loaded from).
//!
//! Reads go straight into the caller's buffer in large requests (UEFI splits them
//! into 1 MiB chunks), never byte by byte.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use uefi::boot::{self, ScopedProtocol};
use uefi::proto::media::file::{
    Directory, File, FileAttribute, FileInfo, FileMode, FileType, RegularFile,
};
use uefi::proto::media::fs::SimpleFileSystem;
use uefi::{CString16, Status};

use crate::error::LoaderError;

/// The root directory of the loader's volume.
pub struct Volume {
    root: Directory,
    _file_system: ScopedProtocol<SimpleFileSystem>,
}

/// A regular file opened for reading.
pub struct OpenFile {
    file: RegularFile,
    path: String,
    size: u64,
}

/// One regular file found in a directory.
#[derive(Clone, Debug)]
pub struct DirectoryEntry {
    /// File name (no directory part).
    pub name: String,
}

impl Volume {
    /// Opens the file system of the device this image was loaded from.
    pub fn open() -> Result<Self, LoaderError> {
        let mut file_system =
            boot::get_image_file_system(boot::image_handle()).map_err(|error| {
                LoaderError::new("cannot open the loader's own volume", error.status())
            })?;
        let root = file_system
            .open_volume()
            .map_err(|error| LoaderError::new("cannot open the volume's root", error.status()))?;
        Ok(Self {
            root,
            _file_system: file_system,
        })
    }

    /// Opens `path` (backslash separated, from the volume root); `Ok(None)` if it
    /// does not exist.
    fn open_path(&mut self, path: &str) -> Result<Option<FileType>, LoaderError> {
        let name = CString16::try_from(path)
            .map_err(|_| LoaderError::new("path is not valid UCS-2", path))?;
        let handle = match self
            .root
            .open(&name, FileMode::Read, FileAttribute::empty())
        {
            Ok(handle) => handle,
            Err(error) if error.status() == Status::NOT_FOUND => return Ok(None),
            Err(error) => {
                return Err(LoaderError::new(
                    format_args!("cannot open file: {:?}", error.status()),
                    path,
                ));
            }
        };
        handle.into_type().map(Some).map_err(|error| {
            LoaderError::new(format_args!("cannot open file: {:?}", error.status()), path)
        })
    }

    /// Opens the regular file at `path`.
    pub fn open_file(&mut self, path: &str) -> Result<OpenFile, LoaderError> {
        let mut file = match self.open_path(path)? {
            Some(FileType::Regular(file)) => file,
            Some(FileType::Dir(_)) => return Err(LoaderError::new("is a directory", path)),
            None => return Err(LoaderError::new("file not found", path)),
        };
        let info = file.get_boxed_info::<FileInfo>().map_err(|error| {
            LoaderError::new(format_args!("cannot stat file: {:?}", error.status()), path)
        })?;
        Ok(OpenFile {
            file,
            path: path.to_string(),
            size: info.file_size(),
        })
    }

    /// Lists the regular files of the directory at `path`, sorted by name;
    /// `Ok(None)` if there is no such directory.
    pub fn list_directory(
        &mut self,
        path: &str,
    ) -> Result<Option<Vec<DirectoryEntry>>, LoaderError> {
        let mut directory = match self.open_path(path)? {
            Some(FileType::Dir(directory)) => directory,
            Some(FileType::Regular(_)) => return Err(LoaderError::new("not a directory", path)),
            None => return Ok(None),
        };
        let mut entries = Vec::new();
        loop {
            let info: Box<FileInfo> = match directory.read_entry_boxed() {
                Ok(Some(info)) => info,
                Ok(None) => break,
                Err(error) => {
                    return Err(LoaderError::new(
                        format_args!("cannot read directory: {:?}", error.status()),
                        path,
                    ));
                }
            };
            if info.is_directory() {
                continue;
            }
            entries.push(DirectoryEntry {
                name: info.file_name().to_string(),
            });
        }
        entries.sort_unstable_by(|left, right| left.name.cmp(&right.name));
        Ok(Some(entries))
    }
}

impl OpenFile {
    /// Size of the file in bytes.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Fills `buffer` with the file's bytes from `offset`; a short file is an error.
    pub fn read_exact_at(&mut self, offset: u64, buffer: &mut [u8]) -> Result<(), LoaderError> {
        self.file.set_position(offset).map_err(|error| {
            LoaderError::new(
                format_args!("cannot seek in file: {:?}", error.status()),
                &self.path,
            )
        })?;
        let mut done = 0;
        while done < buffer.len() {
            let count = self.file.read(&mut buffer[done..]).map_err(|error| {
                LoaderError::new(
                    format_args!("cannot read file: {:?}", error.status()),
                    &self.path,
                )
            })?;
            if count == 0 {
                return Err(LoaderError::new(
                    format_args!("file ended early: {} bytes at offset {offset}", done),
                    &self.path,
                ));
            }
            done += count;
        }
        Ok(())
    }
}
