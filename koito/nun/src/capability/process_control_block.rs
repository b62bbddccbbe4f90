//! PROCESS_CONTROL_BLOCK: a thread, its configuration and its registers.

use a9n_abi::operation::ProcessControlBlockOperation;
use a9n_abi::operation::process_control_block::{
    ConfigureField, ConfigureFields, FIRST_REGISTER_MR,
};
use a9n_abi::register::REGISTER_COUNT;
use a9n_abi::{CapabilityError, Descriptor, Register};

use crate::call::capability_call;

/// Number of CONFIGURE fields (MR3..MR12).
const FIELD_COUNT: usize = 10;

/// A CONFIGURE request: which fields to set and their values. Field bit i travels in
/// MR(3 + i) whether or not it is set; the kernel validates the whole request
/// before applying any field.
///
/// ```
/// use a9n_abi::RootSlot;
/// use nun::capability::Configuration;
///
/// let configuration = Configuration::new()
///     .address_space(RootSlot::AddressSpace.descriptor())
///     .root_node(RootSlot::RootNode.descriptor())
///     .instruction_pointer(0x40_1000)
///     .stack_pointer(0x50_0000)
///     .priority(20);
/// assert_eq!(configuration.fields().bits(), 0b1_0110_0011);
/// assert_eq!(configuration.arguments()[0], 0b1_0110_0011);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Configuration {
    fields: ConfigureFields,
    values: [u64; FIELD_COUNT],
}

impl Configuration {
    /// A request that sets nothing.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            fields: ConfigureFields::NONE,
            values: [0; FIELD_COUNT],
        }
    }

    /// Sets `field` to the word `value` (descriptors as their word).
    #[must_use]
    pub const fn field(mut self, field: ConfigureField, value: u64) -> Self {
        self.fields = self.fields.union(field.flag());
        self.values[field as usize] = value;
        self
    }

    /// The address space the thread runs in.
    #[must_use]
    pub const fn address_space(self, address_space: Descriptor) -> Self {
        self.field(ConfigureField::AddressSpace, address_space.as_word())
    }

    /// The thread's root node (where its descriptors resolve).
    #[must_use]
    pub const fn root_node(self, root_node: Descriptor) -> Self {
        self.field(ConfigureField::RootNode, root_node.as_word())
    }

    /// The thread's IPC buffer (a 4 KiB frame).
    #[must_use]
    pub const fn ipc_buffer(self, frame: Descriptor) -> Self {
        self.field(ConfigureField::IpcBuffer, frame.as_word())
    }

    /// The notification port bound to the thread.
    #[must_use]
    pub const fn notification_port(self, port: Descriptor) -> Self {
        self.field(ConfigureField::NotificationPort, port.as_word())
    }

    /// The IPC port the thread's faults go to.
    #[must_use]
    pub const fn fault_resolver(self, port: Descriptor) -> Self {
        self.field(ConfigureField::FaultResolver, port.as_word())
    }

    /// Where the thread runs from.
    #[must_use]
    pub const fn instruction_pointer(self, address: u64) -> Self {
        self.field(ConfigureField::InstructionPointer, address)
    }

    /// The thread's stack pointer.
    #[must_use]
    pub const fn stack_pointer(self, address: u64) -> Self {
        self.field(ConfigureField::StackPointer, address)
    }

    /// The thread-local (GS) base; Nun expects it to point at a
    /// [`ThreadLocalBlock`](crate::ipc_buffer::ThreadLocalBlock).
    #[must_use]
    pub const fn thread_local_base(self, address: u64) -> Self {
        self.field(ConfigureField::ThreadLocalBase, address)
    }

    /// The priority, below 32.
    #[must_use]
    pub const fn priority(self, priority: u64) -> Self {
        self.field(ConfigureField::Priority, priority)
    }

    /// The CPU the thread runs on.
    #[must_use]
    pub const fn cpu_affinity(self, cpu: u64) -> Self {
        self.field(ConfigureField::CpuAffinity, cpu)
    }

    /// The bitmask of the fields set.
    #[must_use]
    pub const fn fields(&self) -> ConfigureFields {
        self.fields
    }

    /// The CONFIGURE arguments, MR2..MR12: the bitmask, then every field.
    #[must_use]
    pub const fn arguments(&self) -> [u64; FIELD_COUNT + 1] {
        let mut arguments = [0; FIELD_COUNT + 1];
        arguments[0] = self.fields.bits();
        let mut index = 0;
        while index < FIELD_COUNT {
            arguments[index + 1] = self.values[index];
            index += 1;
        }
        arguments
    }
}

impl Default for Configuration {
    fn default() -> Self {
        Self::new()
    }
}

/// Registers in ABI order as READ_REGISTER returned them (the first `count`).
///
/// ```
/// use a9n_abi::Register;
/// use nun::capability::RegisterValues;
///
/// let mut values = RegisterValues::zeroed(20);
/// values.set(Register::Rip, 0x40_1000);
/// assert_eq!(values.get(Register::Rip), Some(0x40_1000));
/// assert_eq!(values.as_slice().len(), 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterValues {
    values: [u64; REGISTER_COUNT],
    count: usize,
}

impl RegisterValues {
    /// `count` (at most 20) registers, all 0.
    #[must_use]
    pub const fn zeroed(count: usize) -> Self {
        Self {
            values: [0; REGISTER_COUNT],
            count: if count < REGISTER_COUNT {
                count
            } else {
                REGISTER_COUNT
            },
        }
    }

    /// `register`'s value, if it is among the first `count`.
    #[must_use]
    pub const fn get(&self, register: Register) -> Option<u64> {
        if register.index() < self.count {
            Some(self.values[register.index()])
        } else {
            None
        }
    }

    /// Sets `register` if it is among the first `count`; false otherwise.
    pub const fn set(&mut self, register: Register, value: u64) -> bool {
        if register.index() < self.count {
            self.values[register.index()] = value;
            true
        } else {
            false
        }
    }

    /// The values, in ABI order.
    #[must_use]
    pub fn as_slice(&self) -> &[u64] {
        &self.values[..self.count]
    }
}

capability_handle! {
    /// A thread. A new PCB is inactive; CONFIGURE gives it an address space, a root
    /// node and registers, RESUME makes it runnable.
    ///
    /// ```no_run
    /// use a9n_abi::{Register, RootSlot};
    /// use nun::capability::{Configuration, ProcessControlBlock};
    ///
    /// // Init reads its own instruction pointer (register index 15: the first 16).
    /// let own = ProcessControlBlock::new(RootSlot::ProcessControlBlock.descriptor());
    /// let registers = own.read_registers(16)?;
    /// let _rip = registers.get(Register::Rip);
    /// // Drop init's own priority to 20.
    /// own.configure(&Configuration::new().priority(20))?;
    /// # Ok::<(), a9n_abi::CapabilityError>(())
    /// ```
    ProcessControlBlock
}

impl ProcessControlBlock {
    fn invoke(
        self,
        operation: ProcessControlBlockOperation,
        arguments: &[u64],
    ) -> Result<crate::call::CallResults, CapabilityError> {
        capability_call(self.descriptor(), operation.as_word(), arguments)
    }

    /// CONFIGURE: sets the fields of `configuration`. Needs WRITE. MR10..MR12 travel
    /// in the IPC buffer, so a thread configuring another needs one.
    ///
    /// # Errors
    /// The kernel's error (nothing is applied on error).
    pub fn configure(self, configuration: &Configuration) -> Result<(), CapabilityError> {
        // Send only up to the highest field set, so that a request without
        // thread-local base, priority or affinity needs no IPC buffer.
        let arguments = configuration.arguments();
        let highest = ConfigureField::ALL
            .iter()
            .rev()
            .find(|field| configuration.fields().contains(field.flag()))
            .map_or(0, |&field| field as usize + 1);
        self.invoke(
            ProcessControlBlockOperation::Configure,
            &arguments[..=highest],
        )
        .map(|_| ())
    }

    /// READ_REGISTER: the first `count` (<= 20) registers in ABI order. Needs READ.
    ///
    /// # Errors
    /// The kernel's error (`INVALID_ARGUMENT` for a count over 20).
    pub fn read_registers(self, count: usize) -> Result<RegisterValues, CapabilityError> {
        let results = self.invoke(ProcessControlBlockOperation::ReadRegister, &[count as u64])?;
        let mut values = RegisterValues::zeroed(count);
        for (index, value) in values.values[..values.count].iter_mut().enumerate() {
            *value = results.get(FIRST_REGISTER_MR + index);
        }
        Ok(values)
    }

    /// WRITE_REGISTER: writes `values` as the first `values.len()` registers in ABI
    /// order. Needs WRITE. The kernel sanitises RFLAGS and checks that RIP, RSP and
    /// the bases are canonical user addresses.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn write_registers(self, values: &[u64]) -> Result<(), CapabilityError> {
        let mut arguments = [0; REGISTER_COUNT + 1];
        let count = values.len().min(REGISTER_COUNT);
        arguments[0] = values.len() as u64;
        arguments[1..=count].copy_from_slice(&values[..count]);
        self.invoke(
            ProcessControlBlockOperation::WriteRegister,
            &arguments[..=count],
        )
        .map(|_| ())
    }

    /// RESUME: makes the thread runnable (idempotent). Needs WRITE and a configured
    /// address space and root node.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn resume(self) -> Result<(), CapabilityError> {
        self.invoke(ProcessControlBlockOperation::Resume, &[])
            .map(|_| ())
    }

    /// SUSPEND: stops the thread (idempotent). Needs WRITE. A thread may suspend
    /// itself; the call returns when someone resumes it.
    ///
    /// # Errors
    /// The kernel's error.
    pub fn suspend(self) -> Result<(), CapabilityError> {
        self.invoke(ProcessControlBlockOperation::Suspend, &[])
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_land_in_their_mr() {
        let configuration = Configuration::new().priority(7).instruction_pointer(0x1000);
        let arguments = configuration.arguments();
        // arguments[0] is MR2; field i is MR(3 + i), i.e. arguments[1 + i].
        assert_eq!(arguments[1 + ConfigureField::Priority as usize], 7);
        assert_eq!(
            arguments[1 + ConfigureField::InstructionPointer as usize],
            0x1000
        );
        assert_eq!(
            ConfigureFields::from_bits(arguments[0]),
            Some(ConfigureFields::PRIORITY | ConfigureFields::INSTRUCTION_POINTER)
        );
        assert_eq!(arguments.len(), 11);
    }

    #[test]
    fn register_values_clamp_to_twenty() {
        let values = RegisterValues::zeroed(25);
        assert_eq!(values.as_slice().len(), REGISTER_COUNT);
        let few = RegisterValues::zeroed(2);
        assert_eq!(few.get(Register::Rbx), Some(0));
        assert_eq!(few.get(Register::Rcx), None);
    }
}
