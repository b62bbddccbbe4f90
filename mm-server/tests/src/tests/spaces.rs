//! Many address spaces: made and destroyed, memory back exactly.

use alloc::format;
use alloc::vec::Vec;

use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};

/// How many spaces at once.
const SPACES: usize = 1000;

/// Makes `SPACES` spaces (all alive at once), then destroys them.
fn round(environment: &mut Environment) -> TestResult {
    let mut made = Vec::with_capacity(SPACES);
    for index in 0..SPACES {
        let (destination, slot) = environment.destination(2)?;
        let space = environment
            .mm
            .create_address_space(destination)
            .map_err(|error| format!("CREATE_ADDRESS_SPACE #{index}: {}", describe(error)))?;
        made.push((space, slot));
    }
    let during = environment.stats()?;
    check(during.client_address_spaces >= SPACES as u64, || {
        format!("{} spaces counted", during.client_address_spaces)
    })?;
    for (space, slot) in made {
        environment
            .mm
            .destroy_address_space(space)
            .map_err(|error| format!("DESTROY_ADDRESS_SPACE: {}", describe(error)))?;
        environment.free_slots(slot, 2);
    }
    Ok(())
}

/// 1,000 spaces made and destroyed give free memory back exactly. A first round
/// lets mm-server's own bookkeeping (heap, slot leaves) reach its size; the second
/// must end exactly where it started.
pub fn thousand_address_spaces_return_free_memory(environment: &mut Environment) -> TestResult {
    round(environment)?;
    let before = environment.stats()?;
    round(environment)?;
    let after = environment.stats()?;
    check(after.free_bytes == before.free_bytes, || {
        format!(
            "free memory {} before, {} after ({} bytes lost)",
            before.free_bytes,
            after.free_bytes,
            before.free_bytes.abs_diff(after.free_bytes)
        )
    })?;
    check(
        after.client_used_bytes == before.client_used_bytes
            && after.client_address_spaces == before.client_address_spaces,
        || "the client's account did not return to its start".into(),
    )
}
