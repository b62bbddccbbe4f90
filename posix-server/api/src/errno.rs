//! POSIX error numbers, with Linux's values (so that programs print the same
//! numbers on KOITO and on the Linux host, which is the test oracle).

/// An error number (`errno`): always one of the constants below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($(#[$meta:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        impl Errno {
            $($(#[$meta])* pub const $name: Self = Self($value);)*

            /// The symbolic name (`"ENOENT"`), or `"E?"` for an unknown value.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($name),)*
                    _ => "E?",
                }
            }

            /// The message `strerror` gives (Linux's text).
            #[must_use]
            pub const fn message(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "Unknown error",
                }
            }

            /// The error with number `value`, if it is one of these.
            #[must_use]
            pub const fn from_number(value: u64) -> Option<Self> {
                match value {
                    $($value => Some(Self::$name),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    /// Operation not permitted.
    EPERM = 1, "Operation not permitted";
    /// No such file or directory.
    ENOENT = 2, "No such file or directory";
    /// No such process.
    ESRCH = 3, "No such process";
    /// Interrupted system call.
    EINTR = 4, "Interrupted system call";
    /// Input/output error.
    EIO = 5, "Input/output error";
    /// No such device or address.
    ENXIO = 6, "No such device or address";
    /// Argument list too long.
    E2BIG = 7, "Argument list too long";
    /// Exec format error.
    ENOEXEC = 8, "Exec format error";
    /// Bad file descriptor.
    EBADF = 9, "Bad file descriptor";
    /// No child processes.
    ECHILD = 10, "No child processes";
    /// Resource temporarily unavailable.
    EAGAIN = 11, "Resource temporarily unavailable";
    /// Cannot allocate memory.
    ENOMEM = 12, "Cannot allocate memory";
    /// Permission denied.
    EACCES = 13, "Permission denied";
    /// Bad address.
    EFAULT = 14, "Bad address";
    /// Device or resource busy.
    EBUSY = 16, "Device or resource busy";
    /// File exists.
    EEXIST = 17, "File exists";
    /// Invalid cross-device link.
    EXDEV = 18, "Invalid cross-device link";
    /// No such device.
    ENODEV = 19, "No such device";
    /// Not a directory.
    ENOTDIR = 20, "Not a directory";
    /// Is a directory.
    EISDIR = 21, "Is a directory";
    /// Invalid argument.
    EINVAL = 22, "Invalid argument";
    /// Too many open files in system.
    ENFILE = 23, "Too many open files in system";
    /// Too many open files.
    EMFILE = 24, "Too many open files";
    /// Inappropriate ioctl for device.
    ENOTTY = 25, "Inappropriate ioctl for device";
    /// File too large.
    EFBIG = 27, "File too large";
    /// No space left on device.
    ENOSPC = 28, "No space left on device";
    /// Illegal seek.
    ESPIPE = 29, "Illegal seek";
    /// Read-only file system.
    EROFS = 30, "Read-only file system";
    /// Too many links.
    EMLINK = 31, "Too many links";
    /// Broken pipe.
    EPIPE = 32, "Broken pipe";
    /// Numerical result out of range.
    ERANGE = 34, "Numerical result out of range";
    /// File name too long.
    ENAMETOOLONG = 36, "File name too long";
    /// Function not implemented.
    ENOSYS = 38, "Function not implemented";
    /// Directory not empty.
    ENOTEMPTY = 39, "Directory not empty";
    /// Too many levels of symbolic links.
    ELOOP = 40, "Too many levels of symbolic links";
}

/// `EWOULDBLOCK` is `EAGAIN`.
pub const EWOULDBLOCK: Errno = Errno::EAGAIN;

#[cfg(test)]
mod tests {
    use super::Errno;

    #[test]
    fn names_and_numbers_round_trip() {
        for number in 0..200 {
            if let Some(errno) = Errno::from_number(number) {
                assert_eq!(u64::from(errno.0), number);
                assert!(errno.name().starts_with('E'));
                assert_ne!(errno.message(), "Unknown error");
            }
        }
        assert_eq!(Errno::ENOENT.name(), "ENOENT");
        assert_eq!(Errno(999).name(), "E?");
    }
}
