//! Property test: a pipe behaves like a `VecDeque` model under any sequence of
//! reads, writes and closes.

use super::{PIPE_BUF, PIPE_CAPACITY, PipeFailure, Pipes};
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use posix_server_api::Errno;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Operation {
    Write { size: usize, nonblocking: bool },
    Read { max: usize, nonblocking: bool },
    DropWriter,
    DropReader,
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        8 => (0..PIPE_BUF * 5, any::<bool>())
            .prop_map(|(size, nonblocking)| Operation::Write { size, nonblocking }),
        8 => (0..PIPE_BUF * 5, any::<bool>())
            .prop_map(|(max, nonblocking)| Operation::Read { max, nonblocking }),
        1 => Just(Operation::DropWriter),
        1 => Just(Operation::DropReader),
    ]
}

proptest! {
    #[test]
    fn pipe_matches_a_vecdeque_model(operations in proptest::collection::vec(operation(), 1..120)) {
        let mut pipes = Pipes::<u32>::new();
        let id = pipes.create();
        let mut model: VecDeque<u8> = VecDeque::new();
        let (mut readers, mut writers) = (1usize, 1usize);
        let mut counter = 0u8;
        for operation in operations {
            if readers == 0 && writers == 0 {
                break;
            }
            match operation {
                Operation::Write { size, nonblocking } => {
                    let data: Vec<u8> = (0..size).map(|_| { counter = counter.wrapping_add(1); counter }).collect();
                    let room = PIPE_CAPACITY - model.len();
                    let expected = if size == 0 {
                        Ok(0)
                    } else if readers == 0 {
                        Err(PipeFailure::BrokenPipe)
                    } else if (size <= PIPE_BUF && room < size) || room == 0 {
                        Err(if nonblocking { PipeFailure::Error(Errno::EAGAIN) } else { PipeFailure::WouldBlock })
                    } else {
                        Ok(size.min(room))
                    };
                    let result = if writers == 0 { None } else { Some(pipes.write(id, &data, nonblocking)) };
                    if let Some(result) = result {
                        prop_assert_eq!(result, expected);
                        if let Ok(count) = result {
                            model.extend(&data[..count]);
                        }
                    }
                }
                Operation::Read { max, nonblocking } => {
                    if readers == 0 {
                        continue;
                    }
                    let result = pipes.read_to_vec(id, max, nonblocking);
                    if max == 0 {
                        prop_assert_eq!(result, Ok(Vec::new()));
                    } else if model.is_empty() && writers > 0 {
                        prop_assert_eq!(result, Err(if nonblocking { PipeFailure::Error(Errno::EAGAIN) } else { PipeFailure::WouldBlock }));
                    } else {
                        let count = max.min(model.len());
                        let expected: Vec<u8> = model.drain(..count).collect();
                        prop_assert_eq!(result, Ok(expected));
                    }
                }
                Operation::DropWriter => {
                    if writers > 0 {
                        pipes.drop_writer(id).unwrap();
                        writers -= 1;
                    }
                }
                Operation::DropReader => {
                    if readers > 0 {
                        pipes.drop_reader(id).unwrap();
                        readers -= 1;
                    }
                }
            }
            if readers + writers > 0 {
                prop_assert_eq!(pipes.status(id).unwrap().buffered, model.len());
            }
        }
    }
}
