//! STATS, and requests mm-server must refuse without harm.

use alloc::format;

use mm_server_api::{ClientId, MmError, Operation};

use mm_server_tests::environment::{Environment, describe};
use mm_server_tests::harness::{TestResult, check};

/// STATS gives sane figures.
pub fn stats_report_memory(environment: &mut Environment) -> TestResult {
    let stats = environment.stats()?;
    check(stats.total_bytes >= 64 << 20, || {
        format!("total {} bytes", stats.total_bytes)
    })?;
    check(stats.free_bytes <= stats.total_bytes, || {
        format!("free {} > total {}", stats.free_bytes, stats.total_bytes)
    })?;
    check(stats.client_objects == 1, || {
        format!(
            "{} objects held (the node only expected)",
            stats.client_objects
        )
    })?;
    // Client 2 may not look at client 3.
    match environment.mm.stats(ClientId(3)) {
        Err(mm_server_api::client::ClientError::Refused(MmError::Permission)) => Ok(()),
        other => Err(format!("STATS of another client: {other:?}")),
    }
}

/// Malformed requests get error replies, and the server keeps serving.
pub fn bad_requests_get_error_replies(environment: &mut Environment) -> TestResult {
    let cases: [(&[u64], MmError); 7] = [
        (&[], MmError::InvalidArgument),
        (&[99], MmError::Unsupported),
        (&[Operation::Stats.as_word()], MmError::InvalidArgument),
        (
            &[Operation::DestroyAddressSpace.as_word(), 0],
            MmError::InvalidArgument,
        ),
        (
            &[Operation::DestroyAddressSpace.as_word(), 12345],
            MmError::NoSuchAddressSpace,
        ),
        (
            &[Operation::FreeObject.as_word(), 777_777],
            MmError::NoSuchObject,
        ),
        (
            &[Operation::MapAnonymous.as_word(), 1, 0x1001, 4096, 3, 0, 0],
            MmError::InvalidArgument,
        ),
    ];
    for (words, expected) in cases {
        let reply = environment
            .mm
            .call_raw(words, &[], None)
            .map_err(|error| format!("call {words:?}: {}", describe(error)))?;
        check(reply.words() == [expected.as_word()], || {
            format!(
                "{words:?} got {:?}, expected [{}]",
                reply.words(),
                expected.as_word()
            )
        })?;
    }
    // A request longer than any.
    let long = [Operation::Stats.as_word(); 40];
    let reply = environment
        .mm
        .call_raw(&long, &[], None)
        .map_err(|error| format!("long call: {}", describe(error)))?;
    check(
        reply.words() == [MmError::InvalidArgument.as_word()],
        || format!("a 40-word request got {:?}", reply.words()),
    )?;
    environment.stats().map(|_| ())
}
