//! MAP_DEVICE: device pages mapped into a test space, read by a worker there, taken
//! by one mapping at a time and given back by UNMAP; bad ranges refused.

use alloc::format;

use mm_server_api::client::ClientError;
use mm_server_api::request::{MapDevice, Unmap};
use mm_server_api::{MmError, Operation as Op, Protection};

use mm_server_tests::child::{Child, DATA_BASE};
use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};
use mm_server_tests::work::{Operation, Order};

/// Device ranges of QEMU's q35 tried in turn: the top 2 MiB of the firmware
/// flash (OVMF reports it as MMIO when its variable store is in flash), the start
/// of a 4 MiB flash, the HPET. Whichever the kernel reported as a device Generic
/// can be mapped (the protocol does not tell clients where device memory is).
/// With `cargo xtask`'s machine (code flash only, no variable flash) OVMF reports
/// none of them, and only the refusals are checked.
const CANDIDATES: [u64; 3] = [0xffe0_0000, 0xffc0_0000, 0xfed0_0000];
/// Physical RAM every test machine has (256 MiB of it): never device memory.
const RAM: u64 = 0x0800_0000;

fn refused_with(result: Result<u64, ClientError>, expected: MmError, what: &str) -> TestResult {
    match result {
        Err(ClientError::Refused(error)) if error == expected => Ok(()),
        other => Err(format!("{what}: {other:?}, {} expected", expected.name())),
    }
}

/// Bad ranges are refused; a device page (if the machine reports one) is mapped,
/// read through by a worker, refused to a second mapping, and given back by UNMAP.
pub fn device_pages_are_mapped_once(environment: &mut Environment) -> TestResult {
    let mut child = Child::create(environment)?;
    let space = child.space;
    let request = |address: u64, physical_address: u64| MapDevice {
        space,
        address,
        length: 4096,
        physical_address,
        protection: Protection::READ,
    };
    refused_with(
        environment.mm.map_device(request(DATA_BASE, RAM)),
        MmError::Permission,
        "MAP_DEVICE of RAM",
    )?;
    for words in [
        [
            Op::MapDevice.as_word(),
            space.get(),
            DATA_BASE,
            4096,
            CANDIDATES[0] + 0x800,
            1,
        ],
        [
            Op::MapDevice.as_word(),
            space.get(),
            DATA_BASE,
            0x800,
            CANDIDATES[0],
            1,
        ],
        [
            Op::MapDevice.as_word(),
            space.get(),
            DATA_BASE + 8,
            4096,
            CANDIDATES[0],
            1,
        ],
    ] {
        let reply = environment
            .mm
            .call_raw(&words, &[], None)
            .map_err(|error| format!("call {words:x?}: {}", describe(error)))?;
        check(
            reply.words() == [MmError::InvalidArgument.as_word()],
            || format!("misaligned MAP_DEVICE {words:x?}: {:?}", reply.words()),
        )?;
    }
    let mut mapped = None;
    for physical in CANDIDATES {
        match environment.mm.map_device(request(DATA_BASE, physical)) {
            Ok(address) => {
                mapped = Some((physical, address));
                break;
            }
            Err(ClientError::Refused(MmError::Permission)) => {}
            Err(error) => {
                return Err(format!("MAP_DEVICE of {physical:#x}: {}", describe(error)));
            }
        }
    }
    let Some((physical, address)) = mapped else {
        nun::debug_println!(
            "mm-tests: no device Generic at {CANDIDATES:x?}: only refusals were checked"
        );
        return child.destroy(environment);
    };
    check(address == DATA_BASE, || format!("mapped at {address:#x}"))?;
    // A read that faulted would leave the worker blocked: `run` would fail.
    let word = child.run(
        environment,
        Order {
            operation: Operation::Read,
            start: address,
            count: 1,
            stride: 0,
            seed: 0,
        },
    )?;
    nun::debug_println!("mm-tests: device page {physical:#x} read through: {word:#x}");
    if physical == CANDIDATES[0] {
        // The variable store starts with a firmware volume: "_FVH" at 0x28.
        let signature = child.run(
            environment,
            Order {
                operation: Operation::Read,
                start: address + 0x28,
                count: 1,
                stride: 0,
                seed: 0,
            },
        )?;
        check(signature & 0xffff_ffff == 0x4856_465f, || {
            format!("the flash reads {signature:#x} at 0x28, not \"_FVH\"")
        })?;
    }
    refused_with(
        environment
            .mm
            .map_device(request(DATA_BASE + 0x10_0000, physical)),
        MmError::Overlap,
        "second MAP_DEVICE of the same page",
    )?;
    refused_with(
        environment
            .mm
            .map_device(request(DATA_BASE, physical + 4096)),
        MmError::Overlap,
        "MAP_DEVICE over an existing region",
    )
    .or_else(|_| {
        // The next page may not be device memory at all.
        refused_with(
            environment
                .mm
                .map_device(request(DATA_BASE, physical + 4096)),
            MmError::Permission,
            "MAP_DEVICE over an existing region",
        )
    })?;
    environment
        .mm
        .unmap(Unmap {
            space,
            address,
            length: 4096,
        })
        .map_err(|error| format!("UNMAP: {}", describe(error)))?;
    let again = environment
        .mm
        .map_device(request(DATA_BASE + 0x10_0000, physical))
        .map_err(|error| format!("MAP_DEVICE after UNMAP: {}", describe(error)))?;
    check(again == DATA_BASE + 0x10_0000, || {
        format!("mapped again at {again:#x}")
    })?;
    child.destroy(environment)?;
    // DESTROY gave the page back too.
    let other = Child::create(environment)?;
    let other_space = other.space;
    let result = environment.mm.map_device(MapDevice {
        space: other_space,
        ..request(DATA_BASE, physical)
    });
    other.destroy(environment)?;
    result
        .map(|_| ())
        .map_err(|error| format!("MAP_DEVICE after DESTROY: {}", describe(error)))
}
