//! Processes' kernel side: the first process, fork, execve, and teardown at exit
//! or death. A process is an address space made by mm-server, a thread, a root
//! node with its posix-server capability and notification port, and a buffer it
//! shares with posix-server.

use alloc::string::String;
use alloc::vec::Vec;

use a9n_abi::{CapabilityType, Rights};
use mm_server_api::request::{Brk, BrkFlags, MapFlags};
use nun::capability::{Configuration, Node, NotificationPort, ProcessControlBlock};
use posix_server_api::Errno;
use posix_server_api::process_start::{
    ARGUMENT_MAX, AT_ENTRY, AT_KOITO_NOTIFICATION, AT_KOITO_POSIX_PORT, AT_KOITO_SHARED_BUFFER,
    AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, NOTIFICATION_SLOT, POSIX_PORT_SLOT, PROCESS_ROOT_RADIX,
    SHARED_BUFFER_ADDRESS, STACK_LIMIT, STACK_TOP,
};
use posix_server_api::shared_buffer::{BUFFER_LENGTH, MAGIC};

use super::kernel_objects::{Object, Space};
use super::{FAULT_TAG, PROCESS_PORT_RIGHTS, PROCESS_PRIORITY, Server, layout, process_slot};
use posix_server::executable::{self, LoadPlan};
use posix_server::file_descriptors::{DescriptorTable, FileTarget, OpenFile};
use posix_server::process_table::Pid;
use posix_server::signals::{Signal, wait_status};
use posix_server::vfs::{DeviceId, NodeId};

/// A process's kernel objects.
pub struct ProcessKernel {
    /// Its address space.
    pub space: Space,
    /// Its thread.
    pub thread: Object,
    /// Its root node.
    pub node: Object,
    /// Its notification port (posix-server's capability, identified 1).
    pub notification: Object,
    /// posix-server's buffer slot of its shared buffer.
    pub buffer_slot: u64,
}

impl ProcessKernel {
    /// posix-server's address of the shared buffer.
    #[must_use]
    pub const fn buffer(&self) -> u64 {
        layout::buffer_address(self.buffer_slot)
    }
}

/// The server's data of one process.
pub struct ProcessData {
    /// Its kernel objects (`None` once it is a zombie).
    pub kernel: Option<ProcessKernel>,
    /// Its descriptors.
    pub descriptors: DescriptorTable,
    /// Its working directory.
    pub cwd: NodeId,
    /// Its file-mode creation mask.
    pub umask: u32,
    /// Its command name.
    pub name: String,
    /// Its last reply said "would block".
    pub blocked: bool,
    /// Its signal trampoline `[start, end)`.
    pub trampoline: (u64, u64),
    /// Anonymous memory it mapped with mmap (for its limit).
    pub mapped_bytes: u64,
    /// Where its heap (the break) starts.
    pub break_base: u64,
}

/// An executable staged in posix-server's space.
pub struct StagedProgram {
    /// Its plan.
    pub plan: LoadPlan,
    /// posix-server's address of each piece.
    pub staged: Vec<u64>,
}

/// What a new image needs besides the program.
struct ImageArguments<'a> {
    path: &'a [u8],
    arguments: Vec<&'a [u8]>,
    environment: Vec<&'a [u8]>,
}

impl Server {
    /// Starts `path` as pid 1 with the console on descriptors 0, 1 and 2.
    pub fn spawn_first(&mut self, path: &[u8]) -> Result<Pid, Errno> {
        let root = self.vfs.root();
        let data = ProcessData {
            kernel: None,
            descriptors: DescriptorTable::new(),
            cwd: root,
            umask: 0o022,
            name: String::from("init"),
            blocked: false,
            trampoline: (0, 0),
            mapped_bytes: 0,
            break_base: 0,
        };
        let pid = self.table.spawn_first(data)?;
        let console = OpenFile::new(
            FileTarget::Device(DeviceId::Console),
            posix_server::vfs::flags::O_RDWR,
        );
        if let Some(process) = self.table.get_mut(pid) {
            let descriptors = &mut process.payload_mut().descriptors;
            let _ = descriptors.open(&mut self.open_files, console, 0);
            let _ = descriptors.dup(&mut self.open_files, 0);
            let _ = descriptors.dup(&mut self.open_files, 0);
        }
        if let Some(group) = self.table.get(pid).map(|process| process.group().0) {
            self.tty.set_foreground_group(Some(group));
            self.tty.set_session(Some(group));
        }
        let node = self.make_process_node(pid)?;
        let image = ImageArguments {
            path,
            arguments: alloc::vec![path],
            environment: alloc::vec![&b"PATH=/bin"[..], b"HOME=/home", b"TERM=vt100"],
        };
        match self.build_image(pid, node, &image) {
            Ok(kernel) => {
                if let Some(process) = self.table.get_mut(pid) {
                    process.payload_mut().kernel = Some(kernel);
                }
                Ok(pid)
            }
            Err(errno) => {
                self.free_process_node(node);
                Err(errno)
            }
        }
    }

    /// A root node for `pid` with its posix-server capability, and a
    /// notification port: (node, notification).
    fn make_process_node(&mut self, pid: Pid) -> Result<(Object, Object), Errno> {
        let node = self
            .kernel
            .allocate(CapabilityType::Node, u64::from(PROCESS_ROOT_RADIX))?;
        let notification = match self.kernel.allocate(CapabilityType::NotificationPort, 0) {
            Ok(notification) => notification,
            Err(errno) => {
                self.kernel.free(node);
                return Err(errno);
            }
        };
        let process_node = Node::new(node.slot.descriptor, PROCESS_ROOT_RADIX);
        let made = (|| {
            let port = self.kernel.identified_copy(
                self.port.descriptor(),
                u64::from(pid.0),
                PROCESS_PORT_RIGHTS,
            )?;
            let moved = process_node.move_capability(POSIX_PORT_SLOT, port.descriptor);
            self.kernel.free_slot(port);
            moved.map_err(|_| Errno::EIO)?;
            NotificationPort::new(notification.slot.descriptor)
                .identify(1)
                .map_err(|_| Errno::EIO)?;
            process_node
                .copy(NOTIFICATION_SLOT, notification.slot.descriptor)
                .and_then(|()| process_node.demote(NOTIFICATION_SLOT, Rights::READ))
                .map_err(|_| Errno::EIO)
        })();
        if let Err(errno) = made {
            self.free_process_node((node, notification));
            return Err(errno);
        }
        Ok((node, notification))
    }

    /// Frees what [`Self::make_process_node`] made.
    fn free_process_node(&mut self, (node, notification): (Object, Object)) {
        self.kernel.free(notification);
        self.kernel.free(node);
    }

    /// Registers posix-server as the handler of `space`'s unresolvable faults.
    fn register_fault_handler(&mut self, pid: Pid, space: &Space) {
        if let Ok(slot) = self.kernel.identified_copy(
            self.port.descriptor(),
            FAULT_TAG | u64::from(pid.0),
            Rights::WRITE,
        ) {
            let _ = self
                .kernel
                .memory
                .register_fault_handler(space.id, Some(slot.descriptor));
            self.kernel.free_slot(slot);
        }
    }

    fn take_buffer_slot(&mut self) -> Result<u64, Errno> {
        let index = self
            .buffer_slots
            .iter()
            .position(|used| !used)
            .ok_or(Errno::EAGAIN)?;
        self.buffer_slots[index] = true;
        Ok(index as u64)
    }

    fn release_buffer_slot(&mut self, index: u64) {
        let _ = self.kernel.unmap(
            self.kernel.own_space,
            layout::buffer_address(index),
            BUFFER_LENGTH,
        );
        if let Some(used) = self.buffer_slots.get_mut(index as usize) {
            *used = false;
        }
    }

    /// Shares a new buffer with `space` at the processes' address.
    fn share_buffer(&mut self, space: &Space) -> Result<u64, Errno> {
        let index = self.take_buffer_slot()?;
        let address = layout::buffer_address(index);
        if let Err(errno) =
            self.kernel
                .share_buffer(BUFFER_LENGTH, address, space.id, SHARED_BUFFER_ADDRESS)
        {
            if let Some(used) = self.buffer_slots.get_mut(index as usize) {
                *used = false;
            }
            return Err(errno);
        }
        let _ = nun::window::write_word(address, MAGIC);
        Ok(index)
    }

    /// The executable at `path` (from `cwd`), staged.
    fn stage_program(&mut self, cwd: NodeId, path: &[u8]) -> Result<u32, Errno> {
        let path = core::str::from_utf8(path).map_err(|_| Errno::ENOENT)?;
        let node = self.vfs.lookup(cwd, path, true)?;
        let stat = self.vfs.stat(node)?;
        if stat.mode & 0o170_000 == 0o040_000 {
            return Err(Errno::EACCES);
        }
        if stat.mode & 0o170_000 != 0o100_000 || stat.mode & 0o111 == 0 {
            return Err(Errno::EACCES);
        }
        if self.programs.contains_key(&node.0) {
            return Ok(node.0);
        }
        let size = stat.size as usize;
        let mut bytes = alloc::vec![0u8; size];
        let mut done = 0;
        while done < size {
            let count = self.vfs.read(node, done as u64, &mut bytes[done..])?;
            if count == 0 {
                break;
            }
            done += count;
        }
        let plan = executable::plan(&bytes[..done])?;
        let mut staged = Vec::with_capacity(plan.pieces.len());
        for piece in &plan.pieces {
            let address = self.staging_next;
            if address + piece.length > layout::STAGING_AREA + layout::STAGING_SIZE {
                return Err(Errno::ENOMEM);
            }
            self.kernel.map_anonymous(
                self.kernel.own_space,
                address,
                piece.length,
                executable::protection::READ | executable::protection::WRITE,
                MapFlags::NO_LARGE_PAGES,
                0,
            )?;
            self.staging_next += piece.length + 4096;
            for content in &piece.contents {
                let from = content.file_offset as usize;
                let to = from + content.length as usize;
                let Some(source) = bytes.get(from..to) else {
                    return Err(Errno::ENOEXEC);
                };
                nun::window_bytes::with_bytes_mut(
                    address + content.piece_offset,
                    content.length,
                    |target| {
                        target.copy_from_slice(source);
                    },
                )
                .ok_or(Errno::EFAULT)?;
            }
            staged.push(address);
        }
        self.programs.insert(node.0, StagedProgram { plan, staged });
        Ok(node.0)
    }

    /// Builds a new address space running `image` for `pid` (whose root node and
    /// notification port are `node`), and its thread, started.
    fn build_image(
        &mut self,
        pid: Pid,
        node: (Object, Object),
        image: &ImageArguments<'_>,
    ) -> Result<ProcessKernel, Errno> {
        let cwd = self
            .table
            .get(pid)
            .map_or(self.vfs.root(), |process| process.payload().cwd);
        let program = self.stage_program(cwd, image.path)?;
        let space = self.kernel.create_space()?;
        match self.fill_space(pid, program, &space, node, image) {
            Ok(kernel) => Ok(kernel),
            Err(errno) => {
                self.kernel.destroy_space(space);
                Err(errno)
            }
        }
    }

    fn fill_space(
        &mut self,
        pid: Pid,
        program: u32,
        space: &Space,
        node: (Object, Object),
        image: &ImageArguments<'_>,
    ) -> Result<ProcessKernel, Errno> {
        let staged = self.programs.get(&program).ok_or(Errno::ENOEXEC)?;
        let plan = staged.plan.clone();
        let pieces: Vec<u64> = staged.staged.clone();
        for (piece, source) in plan.pieces.iter().zip(pieces) {
            self.kernel.copy_into(
                space.id,
                piece.address,
                piece.length,
                piece.protection,
                MapFlags::NONE,
                0,
                source,
            )?;
        }
        self.kernel
            .memory
            .brk(Brk {
                space: space.id,
                new_break: plan.end,
                flags: BrkFlags::SET_BASE,
            })
            .map_err(super::kernel_objects::errno_of)?;
        // The initial stack.
        let auxiliary = [
            (AT_PAGESZ, 4096),
            (AT_ENTRY, plan.entry),
            (AT_PHDR, plan.program_headers),
            (AT_PHENT, plan.program_header_size),
            (AT_PHNUM, plan.program_header_count),
            (AT_KOITO_POSIX_PORT, process_slot(POSIX_PORT_SLOT).as_word()),
            (
                AT_KOITO_NOTIFICATION,
                process_slot(NOTIFICATION_SLOT).as_word(),
            ),
            (AT_KOITO_SHARED_BUFFER, SHARED_BUFFER_ADDRESS),
        ];
        let random = super::devices::read_tsc().to_le_bytes();
        let mut random_bytes = [0u8; 16];
        random_bytes[..8].copy_from_slice(&random);
        random_bytes[8..].copy_from_slice(&u64::from(pid.0).to_le_bytes());
        let stack = posix_server::initial_stack::build(
            STACK_TOP,
            &image.arguments,
            &image.environment,
            &auxiliary,
            image.path,
            random_bytes,
            ARGUMENT_MAX as usize + 8192,
        )?;
        let length = stack.bytes.len() as u64;
        self.kernel.map_anonymous(
            self.kernel.own_space,
            layout::STACK_STAGING,
            length,
            executable::protection::READ | executable::protection::WRITE,
            MapFlags::NO_LARGE_PAGES,
            0,
        )?;
        let written = nun::window_bytes::with_bytes_mut(layout::STACK_STAGING, length, |target| {
            target.copy_from_slice(&stack.bytes);
        });
        let copied = written.ok_or(Errno::EFAULT).and_then(|()| {
            self.kernel.copy_into(
                space.id,
                STACK_TOP - length,
                length,
                executable::protection::READ | executable::protection::WRITE,
                MapFlags::GROWS_DOWN,
                STACK_LIMIT,
                layout::STACK_STAGING,
            )
        });
        let _ = self
            .kernel
            .unmap(self.kernel.own_space, layout::STACK_STAGING, length);
        copied?;
        let buffer_slot = self.share_buffer(space)?;
        let thread = match self.start_thread(space, node.0, plan.entry, stack.stack_pointer, 0) {
            Ok(thread) => thread,
            Err(errno) => {
                self.release_buffer_slot(buffer_slot);
                return Err(errno);
            }
        };
        self.register_fault_handler(pid, space);
        if let Some(process) = self.table.get_mut(pid) {
            let name = image
                .path
                .rsplit(|&byte| byte == b'/')
                .next()
                .unwrap_or(image.path);
            let data = process.payload_mut();
            data.name = String::from_utf8_lossy(name).into();
            data.break_base = plan.end;
            data.mapped_bytes = 0;
        }
        Ok(ProcessKernel {
            space: *space,
            thread,
            node: node.0,
            notification: node.1,
            buffer_slot,
        })
    }

    /// A new thread in `space` with root node `node`, at `entry` with stack
    /// `stack`, running.
    fn start_thread(
        &mut self,
        space: &Space,
        node: Object,
        entry: u64,
        stack: u64,
        thread_base: u64,
    ) -> Result<Object, Errno> {
        let thread = self
            .kernel
            .allocate(CapabilityType::ProcessControlBlock, 0)?;
        let pcb = ProcessControlBlock::new(thread.slot.descriptor);
        let mut configuration = Configuration::new()
            .address_space(space.address_space.descriptor)
            .root_node(node.slot.descriptor)
            .fault_resolver(space.fault_resolver.descriptor)
            .instruction_pointer(entry)
            .stack_pointer(stack)
            .priority(PROCESS_PRIORITY);
        if thread_base != 0 {
            configuration = configuration.thread_local_base(thread_base);
        }
        let started = pcb.configure(&configuration).and_then(|()| pcb.resume());
        if started.is_err() {
            self.kernel.free(thread);
            return Err(Errno::ENOMEM);
        }
        Ok(thread)
    }

    /// FORK: the child resumes at `resume` with stack pointer `stack`.
    pub fn fork(
        &mut self,
        parent: Pid,
        stack: u64,
        resume: u64,
        thread_base: u64,
    ) -> Result<Pid, Errno> {
        let (parent_space, data) = {
            let process = self.table.get(parent).ok_or(Errno::ESRCH)?;
            let payload = process.payload();
            let kernel = payload.kernel.as_ref().ok_or(Errno::ESRCH)?;
            (
                kernel.space.id,
                ProcessData {
                    kernel: None,
                    descriptors: DescriptorTable::new(),
                    cwd: payload.cwd,
                    umask: payload.umask,
                    name: payload.name.clone(),
                    blocked: false,
                    trampoline: payload.trampoline,
                    mapped_bytes: payload.mapped_bytes,
                    break_base: payload.break_base,
                },
            )
        };
        let child = self.table.fork(parent, data)?;
        match self.fork_kernel(child, parent_space, stack, resume, thread_base) {
            Ok(kernel) => {
                let descriptors = self
                    .table
                    .get(parent)
                    .map(|process| process.payload().descriptors.fork(&mut self.open_files));
                if let Some(process) = self.table.get_mut(child) {
                    let data = process.payload_mut();
                    data.kernel = Some(kernel);
                    if let Some(descriptors) = descriptors {
                        data.descriptors = descriptors;
                    }
                }
                Ok(child)
            }
            Err(errno) => {
                let _ = self.table.exit(child, 0);
                let _ = self.table.wait(
                    parent,
                    posix_server::process_table::ProcessSelector::Process(child),
                    posix_server::process_table::WNOHANG,
                );
                Err(errno)
            }
        }
    }

    fn fork_kernel(
        &mut self,
        child: Pid,
        parent_space: mm_server_api::SpaceId,
        stack: u64,
        resume: u64,
        thread_base: u64,
    ) -> Result<ProcessKernel, Errno> {
        let node = self.make_process_node(child)?;
        let space = match self.kernel.clone_space(parent_space) {
            Ok(space) => space,
            Err(errno) => {
                self.free_process_node(node);
                return Err(errno);
            }
        };
        let built = (|| {
            // The clone shares the parent's buffer: the child gets its own.
            self.kernel
                .unmap(space.id, SHARED_BUFFER_ADDRESS, BUFFER_LENGTH)?;
            let buffer_slot = self.share_buffer(&space)?;
            match self.start_thread(&space, node.0, resume, stack, thread_base) {
                Ok(thread) => Ok((buffer_slot, thread)),
                Err(errno) => {
                    self.release_buffer_slot(buffer_slot);
                    Err(errno)
                }
            }
        })();
        match built {
            Ok((buffer_slot, thread)) => {
                self.register_fault_handler(child, &space);
                Ok(ProcessKernel {
                    space,
                    thread,
                    node: node.0,
                    notification: node.1,
                    buffer_slot,
                })
            }
            Err(errno) => {
                self.kernel.destroy_space(space);
                self.free_process_node(node);
                Err(errno)
            }
        }
    }

    /// EXECVE: replaces `pid`'s image. `Ok` means the old image is gone (no reply).
    pub fn execve(
        &mut self,
        pid: Pid,
        block: &[u8],
        argc: usize,
        envc: usize,
    ) -> Result<(), Errno> {
        let mut parts = block.split(|&byte| byte == 0);
        let path = parts.next().ok_or(Errno::EFAULT)?;
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        let arguments: Vec<&[u8]> = parts.by_ref().take(argc).collect();
        let environment: Vec<&[u8]> = parts.take(envc).collect();
        if arguments.len() != argc || environment.len() != envc {
            return Err(Errno::EFAULT);
        }
        let image = ImageArguments {
            path,
            arguments,
            environment,
        };
        let (node, notification) = {
            let process = self.table.get(pid).ok_or(Errno::ESRCH)?;
            let kernel = process.payload().kernel.as_ref().ok_or(Errno::ESRCH)?;
            (kernel.node, kernel.notification)
        };
        let new = self.build_image(pid, (node, notification), &image)?;
        // The new image runs: drop the old one.
        let old = self
            .table
            .get_mut(pid)
            .and_then(|process| process.payload_mut().kernel.replace(new));
        if let Some(old) = old {
            self.kernel.free(old.thread);
            self.kernel.destroy_space(old.space);
            self.release_buffer_slot(old.buffer_slot);
        }
        let _ = self.table.mark_execed(pid);
        let released = self
            .table
            .get_mut(pid)
            .map(|process| {
                process
                    .payload_mut()
                    .descriptors
                    .close_on_exec(&mut self.open_files)
            })
            .unwrap_or_default();
        self.release_targets(released);
        if let Some(process) = self.table.get_mut(pid) {
            process.payload_mut().trampoline = (0, 0);
            process.payload_mut().blocked = false;
        }
        Ok(())
    }

    /// Ends `pid` with wait status `status`: frees its kernel objects, closes its
    /// descriptors, makes it a zombie and tells whom it concerns.
    pub fn terminate(&mut self, pid: Pid, status: i32) {
        let Some(process) = self.table.get_mut(pid) else {
            return;
        };
        if process.is_zombie() {
            return;
        }
        let data = process.payload_mut();
        let kernel = data.kernel.take();
        let released = data.descriptors.close_all(&mut self.open_files);
        if let Some(kernel) = kernel {
            self.kernel.free(kernel.thread);
            self.kernel.destroy_space(kernel.space);
            self.release_buffer_slot(kernel.buffer_slot);
            self.free_process_node((kernel.node, kernel.notification));
        }
        self.release_targets(released);
        self.clock.forget(pid);
        self.pipes.forget_waiter(pid);
        self.tty_readers.retain(|&reader| reader != pid);
        if let Ok(notifications) = self.table.exit(pid, status) {
            self.act_on(notifications);
        }
    }

    /// Closes what the last references of descriptions referred to.
    pub fn release_targets(&mut self, targets: Vec<FileTarget>) {
        for target in targets {
            match target {
                FileTarget::Node(node) => {
                    let _ = self.vfs.close_reference(node);
                }
                FileTarget::PipeRead(id) => {
                    if let Some(pipe) = self.pipe_id(id) {
                        let _ = self.pipes.drop_reader(pipe);
                    }
                }
                FileTarget::PipeWrite(id) => {
                    if let Some(pipe) = self.pipe_id(id) {
                        let _ = self.pipes.drop_writer(pipe);
                    }
                }
                FileTarget::Device(_) => {}
            }
        }
        for pid in self.pipes.take_woken() {
            self.wake(pid);
        }
    }

    /// A fault mm-server could not resolve: the process dies of the matching signal.
    pub fn forwarded_fault(&mut self, pid: Pid, words: &[u64; 6]) {
        let Some(fault) = mm_server_api::ForwardedFault::decode(&words[..]).ok() else {
            return;
        };
        let name = self
            .table
            .get(pid)
            .map_or(String::new(), |process| process.payload().name.clone());
        let signal = match fault.reason {
            mm_server_api::FaultReason::OutOfMemory => {
                nun::debug_println!(
                    "posix-server: pid {} ({name}) killed: out of memory at {:#x}",
                    pid.0,
                    fault.address
                );
                Signal::SIGKILL
            }
            mm_server_api::FaultReason::Unsupported => match fault.address {
                3 => Signal::SIGILL,
                4 => Signal::SIGFPE,
                5 => Signal::SIGSYS,
                _ => Signal::SIGBUS,
            },
            _ => Signal::SIGSEGV,
        };
        if let Ok(notifications) = self.table.fault(pid, signal) {
            self.act_on(notifications);
        }
        // A fault cannot be handled by a handler here: the thread is stuck in its
        // fault; it dies of the signal.
        self.terminate(pid, wait_status::killed(signal.number() as i32));
    }

    /// The pipe with number `id`, if it exists.
    pub fn pipe_id(&self, id: u32) -> Option<posix_server::pipe::PipeId> {
        self.pipe_numbers.get(&id).copied()
    }
}
