//! A second thread in the child address space: it says hello over the DEBUG call
//! and marks the shared page.

use crate::child_space::{
    ChildError, ChildSpace, kernel, set_shared_word, shared_word, yield_until,
};

/// What the thread writes into shared word 0.
const MARK: u64 = 0x5ec0_17d0_a55e_0005;

extern "C" fn second_thread(mark: u64) -> ! {
    nun::debug_println!("init: second thread running in its own address space");
    set_shared_word(0, mark);
    loop {
        nun::kernel_call::yield_now();
    }
}

/// Runs the thread and checks its mark.
pub fn run(child: &mut ChildSpace) -> Result<(), ChildError> {
    set_shared_word(0, 0);
    let thread = child.thread(
        second_thread,
        MARK,
        a9n_abi::scheduling::INIT_PRIORITY,
        |configuration| configuration,
    )?;
    kernel("resume", thread.resume())?;
    if !yield_until(1000, || shared_word(0) == MARK) {
        return Err(ChildError::Silent("the second thread never reported"));
    }
    kernel("suspend", thread.suspend())
}
