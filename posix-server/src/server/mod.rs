//! The server runtime: start-up, the request loop, and the state every handler
//! works on. The policy lives in the library modules (VFS, descriptor tables,
//! pipes, tty, process table, signals, execve plans); these modules carry its
//! decisions out with kernel calls and mm-server requests.

mod console;
mod devices;
mod files;
mod kernel_objects;
mod layout;
mod processes;
mod requests;
mod signal_delivery;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use a9n_abi::message_info::MessageSource;
use a9n_abi::{CapabilityType, Descriptor, Rights};
use mm_server_api::SpaceId;
use mm_server_api::client::Client;
use mm_server_api::fault::FORWARDED_FAULT;
use mm_server_api::request::MapFlags;
use nun::capability::{
    InterruptPort, InterruptRegion, IoPort, IpcPort, NotificationPort, ProcessControlBlock,
};
use nun::server_start::{ServerSlot, server_slot};
use posix_server_api::Reply;
use posix_server_api::boot::{
    INTERRUPT_REGION_SLOT, IO_PORT_SLOT, MEMORY_CLIENT_SLOT, ROOT_IMAGE_ADDRESS, decode_argument,
};
use posix_server_api::reply::EVENT_SIGNAL_PENDING;

use posix_server::file_descriptors::OpenFiles;
use posix_server::pipe::Pipes;
use posix_server::process_table::{Pid, ProcessTable};
use posix_server::tty::Tty;
use posix_server::vfs::Vfs;

use self::devices::Devices;
use self::kernel_objects::{KernelObjects, Object};
use self::processes::ProcessData;
use posix_server::clock::{self, Clock};

/// Identifier bit of posix-server capabilities that carry forwarded faults.
const FAULT_TAG: u64 = 1 << 48;
/// Notification bit: COM1 has input.
const SERIAL_BIT: u64 = 1;
/// Notification bit: the PIT fired.
const TIMER_BIT: u64 = 2;
/// Priority of processes.
pub const PROCESS_PRIORITY: u64 = 10;
/// The most processes at once (a fork beyond it fails with EAGAIN).
pub const MAX_PROCESSES: u32 = 64;
/// The most anonymous memory (brk and mmap) one process may hold.
pub const PROCESS_MEMORY_LIMIT: u64 = 64 << 20;

/// Everything the server works with.
pub struct Server {
    kernel: KernelObjects,
    devices: Devices,
    clock: Clock,
    port: IpcPort,
    vfs: Vfs,
    open_files: OpenFiles,
    pipes: Pipes<Pid>,
    /// Pipe numbers (as descriptions name them) to pipes.
    pipe_numbers: BTreeMap<u32, posix_server::pipe::PipeId>,
    next_pipe_number: u32,
    tty: Tty,
    /// Processes waiting for console input.
    tty_readers: Vec<Pid>,
    table: ProcessTable<ProcessData>,
    /// Staged images of executables, by their node.
    programs: BTreeMap<u32, processes::StagedProgram>,
    staging_next: u64,
    buffer_slots: Vec<bool>,
    serial_port: Option<InterruptPort>,
    timer_port: Option<InterruptPort>,
    /// Actions to take after the current reply went out.
    after_reply: Vec<AfterReply>,
    /// The process whose request is being handled (it waits for the reply, so it
    /// is never suspended or redirected: its reply carries pending signals).
    caller: Option<Pid>,
}

/// Something to do once the reply is sent.
#[derive(Clone, Copy, Debug)]
enum AfterReply {
    /// Suspend this process's thread (a stop signal).
    Suspend(Pid),
}

fn fatal(what: &str) -> ! {
    nun::debug_println!("posix-server: {what}");
    nun::server_start::stop(nun::server_start::PANIC_CALL_NUMBER)
}

/// Runs the server (never returns).
pub fn run(argument: u64, heap: &'static nun::growing_heap::GrowingHeap<{ 256 * 1024 }>) -> ! {
    let (space, image_pages) = decode_argument(argument);
    let memory = Client::new(server_slot(MEMORY_CLIENT_SLOT));
    let Some(own_space) = SpaceId::new(space) else {
        fatal("no address space id")
    };
    // The heap grows into anonymous memory mm-server pages in on demand.
    if memory
        .map_anonymous(mm_server_api::request::MapAnonymous {
            space: own_space,
            address: nun::growing_heap::EXTENSION_BASE,
            length: layout::HEAP_BYTES,
            protection: mm_server_api::Protection::READ_WRITE,
            flags: MapFlags::NONE,
            stack_limit: 0,
        })
        .is_err()
        || heap.grow(layout::HEAP_BYTES).is_err()
    {
        fatal("cannot map the heap");
    }
    let mut kernel = match KernelObjects::new(memory, own_space) {
        Ok(kernel) => kernel,
        Err(_) => fatal("cannot make the slot node"),
    };
    let Ok(port) = kernel.allocate_service_port() else {
        fatal("cannot make the service port")
    };
    let Ok(notification) = kernel.allocate(CapabilityType::NotificationPort, 0) else {
        fatal("cannot make the notification port")
    };
    let own_thread = ProcessControlBlock::new(server_slot(ServerSlot::ProcessControlBlock as u64));
    if own_thread
        .configure(
            &nun::capability::Configuration::new().notification_port(notification.slot.descriptor),
        )
        .is_err()
    {
        fatal("cannot bind the notification port");
    }
    let devices = Devices::new(IoPort::new(server_slot(IO_PORT_SLOT)));
    // The clocks.
    let realtime = devices.real_time_seconds();
    let tsc_start = devices::read_tsc();
    let tsc_hertz = devices.measure_tsc_hertz(11_932);
    let clock = Clock::new(tsc_hertz, tsc_start, realtime);
    // Interrupts: COM1 input and the PIT.
    let region = InterruptRegion::new(server_slot(INTERRUPT_REGION_SLOT));
    let serial_port = interrupt_port(
        &mut kernel,
        region,
        devices::SERIAL_IRQ,
        notification,
        SERIAL_BIT,
    );
    let timer_port = interrupt_port(
        &mut kernel,
        region,
        devices::TIMER_IRQ,
        notification,
        TIMER_BIT,
    );
    devices.serial_enable_receive();
    // The file system.
    let image_length = image_pages.min(posix_server_api::boot::ROOT_IMAGE_MAX_PAGES) * 4096;
    let image: &'static [u8] = if image_length == 0 {
        &[]
    } else {
        nun::window_bytes::permanent_bytes(ROOT_IMAGE_ADDRESS, image_length).unwrap_or(&[])
    };
    let mut vfs = match Vfs::new(image) {
        Ok(vfs) => vfs,
        Err(error) => {
            nun::debug_println!("posix-server: root image: {error:?}");
            fatal("the root image is unusable")
        }
    };
    vfs.set_time(posix_server::vfs::Timestamp::from_seconds(realtime as i64));
    let mut server = Server {
        kernel,
        devices,
        clock,
        port: IpcPort::new(port),
        vfs,
        open_files: OpenFiles::new(),
        pipes: Pipes::new(),
        pipe_numbers: BTreeMap::new(),
        next_pipe_number: 1,
        tty: Tty::new(),
        tty_readers: Vec::new(),
        table: ProcessTable::new(MAX_PROCESSES as usize),
        programs: BTreeMap::new(),
        staging_next: layout::STAGING_AREA,
        buffer_slots: alloc::vec![false; layout::BUFFER_SLOTS as usize],
        serial_port,
        timer_port,
        after_reply: Vec::new(),
        caller: None,
    };
    nun::debug_println!(
        "posix-server: ready (TSC {} MHz, {} KiB root image)",
        tsc_hertz / 1_000_000,
        image_length / 1024
    );
    match server.spawn_first(b"/bin/init") {
        Ok(pid) => nun::debug_println!("posix-server: started /bin/init as pid {}", pid.0),
        Err(errno) => nun::debug_println!("posix-server: cannot start /bin/init: {}", errno.name()),
    }
    server.serve()
}

fn interrupt_port(
    kernel: &mut KernelObjects,
    region: InterruptRegion,
    irq: u64,
    notification: Object,
    bit: u64,
) -> Option<InterruptPort> {
    let slot = kernel.take_slot().ok()?;
    region
        .make_port(irq, kernel.node().descriptor(), slot.index)
        .ok()?;
    let copy = kernel.take_slot().ok()?;
    kernel
        .node()
        .copy(copy.index, notification.slot.descriptor)
        .ok()?;
    NotificationPort::new(copy.descriptor).identify(bit).ok()?;
    let port = InterruptPort::new(slot.descriptor);
    port.bind_notification_port(copy.descriptor).ok()?;
    Some(port)
}

impl Server {
    /// The request loop.
    fn serve(&mut self) -> ! {
        let mut pending_reply: Option<[u64; 6]> = None;
        loop {
            let received = match pending_reply.take() {
                Some(words) if self.after_reply.is_empty() => self.port.reply_receive(&words),
                Some(words) => {
                    let _ = self.port.reply(&words);
                    self.run_after_reply();
                    self.port.receive(true)
                }
                None => self.port.receive(true),
            };
            let Ok(message) = received else {
                continue;
            };
            let Some(info) = message.info() else {
                continue;
            };
            let identifier = message.identifier();
            if info.source() == MessageSource::Notification {
                self.interrupts(identifier);
                continue;
            }
            let length = info.length().min(6);
            let mut words = [0u64; 6];
            for (index, word) in words.iter_mut().enumerate().take(length) {
                *word = message.payload(index);
            }
            if identifier & FAULT_TAG != 0 {
                if words[0] == FORWARDED_FAULT {
                    self.forwarded_fault(Pid((identifier & 0xffff_ffff) as u32), &words);
                }
                continue;
            }
            let pid = Pid(identifier as u32);
            self.caller = Some(pid);
            let reply = self.request(pid, &words[..length]);
            self.caller = None;
            if let Some(reply) = reply {
                pending_reply = Some(self.finish_reply(pid, reply).encode());
            }
        }
    }

    /// Whether `pid` has a signal it can be given now.
    fn signal_deliverable(&self, pid: Pid) -> bool {
        self.table
            .signals(pid)
            .is_some_and(posix_server::signals::SignalState::has_deliverable)
    }

    /// The answer to a call that cannot complete yet: EINTR when a signal is
    /// deliverable (its handler runs first), else "wait, then ask again".
    fn blocked_reply(&self, pid: Pid) -> Reply {
        if self.signal_deliverable(pid) {
            Reply::error(posix_server_api::Errno::EINTR)
        } else {
            Reply::would_block()
        }
    }

    /// Marks a reply with the pending-signal event and notes a blocked process.
    fn finish_reply(&mut self, pid: Pid, mut reply: Reply) -> Reply {
        if self.signal_deliverable(pid) {
            reply.events |= EVENT_SIGNAL_PENDING;
        }
        if let Some(process) = self.table.get_mut(pid) {
            process.payload_mut().blocked = reply.blocks();
        }
        reply
    }

    fn run_after_reply(&mut self) {
        for action in core::mem::take(&mut self.after_reply) {
            match action {
                AfterReply::Suspend(pid) => {
                    if let Some(thread) = self.thread_of(pid) {
                        let _ = thread.suspend();
                    }
                }
            }
        }
    }

    fn thread_of(&self, pid: Pid) -> Option<ProcessControlBlock> {
        let process = self.table.get(pid)?;
        let kernel = process.payload().kernel.as_ref()?;
        Some(ProcessControlBlock::new(kernel.thread.slot.descriptor))
    }

    /// Wakes `pid` from its wait on its notification port.
    fn wake(&self, pid: Pid) {
        if let Some(kernel) = self
            .table
            .get(pid)
            .and_then(|process| process.payload().kernel.as_ref())
        {
            let _ = NotificationPort::new(kernel.notification.slot.descriptor).notify();
        }
    }

    /// Handles interrupt notification bits.
    fn interrupts(&mut self, bits: u64) {
        if bits & SERIAL_BIT != 0 {
            self.serial_input();
            if let Some(port) = self.serial_port {
                let _ = port.ack();
            }
        }
        if bits & TIMER_BIT != 0 {
            self.clock.fired();
            if let Some(port) = self.timer_port {
                let _ = port.ack();
            }
        }
        self.check_timers();
    }

    /// Wakes sleepers whose deadline passed and re-arms the PIT.
    fn check_timers(&mut self) {
        let now = self.monotonic_now();
        for pid in self.clock.expired(now) {
            self.wake(pid);
        }
        if let Some(ticks) = self.clock.arm_ticks(now) {
            self.devices.timer_arm(ticks);
        }
    }

    /// Monotonic nanoseconds now.
    fn monotonic_now(&self) -> u64 {
        self.clock.monotonic_at(devices::read_tsc())
    }
}

/// The descriptor of root slot `index` of a process.
#[must_use]
fn process_slot(index: u64) -> Descriptor {
    Descriptor::root_slot(posix_server_api::process_start::PROCESS_ROOT_RADIX, index)
        .unwrap_or(Descriptor::ROOT_NODE)
}

/// Rights a process gets on its posix-server capability.
const PROCESS_PORT_RIGHTS: Rights = Rights::WRITE;

/// A request word that holds a C `int` (a descriptor, a pid): values outside
/// `i32` become `i32::MIN`, which names no descriptor, process or group.
#[must_use]
fn int_argument(word: u64) -> i32 {
    i32::try_from(word as i64).unwrap_or(i32::MIN)
}

/// A request word that holds a C `unsigned` (a signal, flags, options, a mode):
/// values outside `u32` become `u32::MAX`, which no operation accepts.
#[must_use]
fn unsigned_argument(word: u64) -> u32 {
    u32::try_from(word).unwrap_or(u32::MAX)
}

/// A reply of a call's outcome: its value, or `-errno`.
fn result(outcome: Result<u64, posix_server_api::Errno>) -> Reply {
    match outcome {
        Ok(value) => Reply::ok(value as i64),
        Err(errno) => Reply::error(errno),
    }
}
