//! Host tests of the pipe arena: EOF, EPIPE, atomic and partial writes,
//! wrap-around, reference counts and waking.

use super::{PIPE_BUF, PIPE_CAPACITY, PipeFailure, PipeStatus, Pipes};
use posix_server_api::Errno;

fn fill(pipes: &mut Pipes<u32>, id: super::PipeId, count: usize) {
    let chunk = [7u8; PIPE_BUF];
    let mut left = count;
    while left > 0 {
        let size = left.min(PIPE_BUF);
        assert_eq!(pipes.write(id, &chunk[..size], false), Ok(size));
        left -= size;
    }
}

#[test]
fn data_written_is_read_in_order() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    assert_eq!(pipes.write(id, b"hello ", false), Ok(6));
    assert_eq!(pipes.write(id, b"world", false), Ok(5));
    let mut buffer = [0; 4];
    assert_eq!(pipes.read(id, &mut buffer, false), Ok(4));
    assert_eq!(&buffer, b"hell");
    assert_eq!(
        pipes.read_to_vec(id, 100, false).as_deref(),
        Ok(&b"o world"[..])
    );
}

#[test]
fn empty_pipe_with_writer_blocks_or_fails_with_eagain() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    let mut buffer = [0; 8];
    assert_eq!(
        pipes.read(id, &mut buffer, false),
        Err(PipeFailure::WouldBlock)
    );
    assert_eq!(
        pipes.read(id, &mut buffer, true),
        Err(PipeFailure::Error(Errno::EAGAIN))
    );
    assert_eq!(PipeFailure::WouldBlock.errno(), Errno::EAGAIN);
}

#[test]
fn empty_pipe_without_writer_is_end_of_file_after_the_data() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    assert_eq!(pipes.write(id, b"last", false), Ok(4));
    pipes.drop_writer(id).unwrap();
    assert_eq!(
        pipes.read_to_vec(id, 100, false).as_deref(),
        Ok(&b"last"[..])
    );
    assert_eq!(pipes.read_to_vec(id, 100, false).as_deref(), Ok(&b""[..]));
    assert_eq!(pipes.read_to_vec(id, 100, true).as_deref(), Ok(&b""[..]));
}

#[test]
fn zero_length_read_and_write_return_zero() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    assert_eq!(pipes.read(id, &mut [], false), Ok(0));
    assert_eq!(pipes.write(id, b"", false), Ok(0));
    pipes.drop_reader(id).unwrap();
    assert_eq!(pipes.write(id, b"", false), Ok(0));
}

#[test]
fn write_without_reader_is_a_broken_pipe() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    pipes.drop_reader(id).unwrap();
    assert_eq!(pipes.write(id, b"x", false), Err(PipeFailure::BrokenPipe));
    assert_eq!(pipes.write(id, b"x", true), Err(PipeFailure::BrokenPipe));
    assert_eq!(PipeFailure::BrokenPipe.errno(), Errno::EPIPE);
}

#[test]
fn writes_up_to_pipe_buf_are_all_or_nothing() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    fill(&mut pipes, id, PIPE_CAPACITY - 100);
    let block = [1u8; PIPE_BUF];
    assert_eq!(pipes.write(id, &block, false), Err(PipeFailure::WouldBlock));
    assert_eq!(
        pipes.write(id, &block[..101], true),
        Err(PipeFailure::Error(Errno::EAGAIN))
    );
    assert_eq!(pipes.status(id).unwrap().buffered, PIPE_CAPACITY - 100);
    assert_eq!(pipes.write(id, &block[..100], false), Ok(100));
    assert_eq!(pipes.write(id, b"x", false), Err(PipeFailure::WouldBlock));
}

#[test]
fn larger_writes_are_partial_and_block_only_when_full() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    fill(&mut pipes, id, PIPE_CAPACITY - 1000);
    let big = [2u8; PIPE_BUF + 1];
    assert_eq!(pipes.write(id, &big, false), Ok(1000));
    assert_eq!(pipes.write(id, &big, false), Err(PipeFailure::WouldBlock));
    assert_eq!(
        pipes.write(id, &big, true),
        Err(PipeFailure::Error(Errno::EAGAIN))
    );
    let huge = alloc::vec![3u8; PIPE_CAPACITY * 2];
    let mut sink = alloc::vec![0u8; PIPE_CAPACITY];
    assert_eq!(pipes.read(id, &mut sink, false), Ok(PIPE_CAPACITY));
    assert_eq!(pipes.write(id, &huge, true), Ok(PIPE_CAPACITY));
}

#[test]
fn data_survives_wrapping_around_the_ring() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    let mut next = 0u8;
    let mut expected = 0u8;
    for round in 0..200 {
        let size = 1000 + round * 37 % 3000;
        let chunk: alloc::vec::Vec<u8> = (0..size)
            .map(|_| {
                next = next.wrapping_add(1);
                next
            })
            .collect();
        let written = pipes.write(id, &chunk, false).unwrap();
        assert_eq!(written, size);
        let mut buffer = alloc::vec![0u8; size];
        assert_eq!(pipes.read(id, &mut buffer, false), Ok(size));
        for byte in buffer {
            expected = expected.wrapping_add(1);
            assert_eq!(byte, expected);
        }
        if round % 3 == 0 {
            // Keep some bytes buffered so the ring's head moves around.
            assert_eq!(pipes.write(id, &[0xAA; 17], false), Ok(17));
            let mut small = [0u8; 17];
            assert_eq!(pipes.read(id, &mut small, false), Ok(17));
            assert_eq!(small, [0xAA; 17]);
        }
    }
}

#[test]
fn pipe_is_freed_when_both_ends_are_gone_and_stale_ids_fail() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    pipes.add_reader(id).unwrap();
    pipes.add_writer(id).unwrap();
    pipes.drop_reader(id).unwrap();
    pipes.drop_writer(id).unwrap();
    assert!(pipes.contains(id));
    pipes.drop_reader(id).unwrap();
    assert_eq!(pipes.drop_reader(id), Err(Errno::EBADF));
    assert!(pipes.contains(id));
    pipes.drop_writer(id).unwrap();
    assert!(!pipes.contains(id));
    assert!(pipes.is_empty());
    assert_eq!(
        pipes.write(id, b"x", false),
        Err(PipeFailure::Error(Errno::EBADF))
    );
    assert_eq!(pipes.status(id), Err(Errno::EBADF));
    let reused = pipes.create();
    assert_ne!(reused, id);
    assert_eq!(pipes.len(), 1);
    assert_eq!(pipes.add_reader(id), Err(Errno::EBADF));
}

#[test]
fn status_reports_what_poll_needs() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    let status = pipes.status(id).unwrap();
    assert_eq!(
        status,
        PipeStatus {
            readable: false,
            writable: true,
            hang_up: false,
            broken: false,
            buffered: 0
        }
    );
    fill(&mut pipes, id, PIPE_CAPACITY - PIPE_BUF + 1);
    let status = pipes.status(id).unwrap();
    assert!(status.readable && !status.writable);
    pipes.drop_writer(id).unwrap();
    assert!(pipes.status(id).unwrap().hang_up);
    let id = pipes.create();
    pipes.drop_reader(id).unwrap();
    let status = pipes.status(id).unwrap();
    assert!(status.broken && status.writable && !status.readable);
}

#[test]
fn waiters_are_woken_by_the_changes_they_wait_for() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    pipes.wait_readable(id, 1).unwrap();
    pipes.wait_readable(id, 1).unwrap();
    pipes.wait_writable(id, 2).unwrap();
    assert!(pipes.take_woken().is_empty());
    pipes.write(id, b"a", false).unwrap();
    assert_eq!(pipes.take_woken(), [1]);
    pipes.read(id, &mut [0; 1], false).unwrap();
    assert_eq!(pipes.take_woken(), [2]);
    // Each registration wakes once.
    pipes.write(id, b"b", false).unwrap();
    assert!(pipes.take_woken().is_empty());

    pipes.wait_readable(id, 3).unwrap();
    pipes.drop_writer(id).unwrap();
    assert_eq!(pipes.take_woken(), [3]);
    pipes.wait_writable(id, 4).unwrap();
    let other = pipes.create();
    pipes.wait_writable(other, 5).unwrap();
    pipes.drop_reader(other).unwrap();
    assert_eq!(pipes.take_woken(), [5]);
    pipes.drop_reader(id).unwrap();
    assert_eq!(pipes.take_woken(), [4]);
}

#[test]
fn forgotten_waiters_are_not_woken() {
    let mut pipes = Pipes::<u32>::new();
    let id = pipes.create();
    pipes.wait_readable(id, 1).unwrap();
    pipes.wait_readable(id, 2).unwrap();
    pipes.forget_waiter(1);
    pipes.write(id, b"x", false).unwrap();
    assert_eq!(pipes.take_woken(), [2]);
    pipes.wait_readable(id, 3).unwrap();
    pipes.write(id, b"y", false).unwrap();
    pipes.forget_waiter(3);
    assert!(pipes.take_woken().is_empty());
}
