//! COM1's receive interrupt (ISA IRQ 4) delivered to user space, as a console
//! driver would use it, plus what the region's own tests (`interrupts.rs`) leave
//! out: IRQ numbers from 16 (GSIs), a minted port capability, and a binding that
//! goes with its notification port (docs/abi.md sections 5 and 12, "Interrupts").
//!
//! Delivery is driven two ways. Most tests put the UART in loopback mode (MCR bit
//! 4): a byte written to the transmit register is received at once, raising IRQ 4
//! in QEMU, without any help from outside. The last test asks for a real key: it
//! prints `kernel tests: type a key` and WAITs (the CPU idles until the interrupt
//! wakes it); the boot test harness types the key. Every test that touches the UART
//! restores its interrupt enable and modem control registers when it ends, however
//! it ends (the kernel prints through COM1).
//!
//! Expectations that depend on the machine are QEMU q35's: one I/O APIC with 24
//! inputs.

use a9n_abi::operation::io_port::IoWidth;
use a9n_abi::{CapabilityError, CapabilityType, Rights, RootSlot};
use nun::capability::{Generic, InterruptPort, InterruptRegion, IoPort, NotificationPort};
use nun::slot_allocator::Slot;

use crate::check::{Expect, Failure, TestResult, expect_error};
use crate::context::{Context, ensure_empty};
use crate::{ensure, fail};

pub const TESTS: &[crate::harness::Test] = tests![
    irq_numbers_from_16_name_gsis,
    a_minted_port_capability_keeps_the_port,
    com1_interrupt_notifies_with_the_bound_identifier,
    com1_interrupt_stays_masked_until_ack,
    unbound_port_notifies_nothing_until_bound_again,
    a_destroyed_notification_port_is_unbound,
    com1_receives_a_typed_key,
];

/// COM1's ISA IRQ.
const COM1_IRQ: u64 = 4;
/// COM1's first port and its registers (offsets).
const COM1: u64 = 0x3f8;
const DATA: u64 = 0;
const INTERRUPT_ENABLE: u64 = 1;
const MODEM_CONTROL: u64 = 4;
const LINE_STATUS: u64 = 5;
/// Interrupt enable: received data available.
const RECEIVED_DATA: u64 = 1 << 0;
/// Modem control: OUT2 (gates the IRQ line on PCs), loopback.
const OUT2: u64 = 1 << 3;
const LOOPBACK: u64 = 1 << 4;
/// Line status: data ready, transmitter empty (holding and shift registers).
const DATA_READY: u64 = 1 << 0;
const TRANSMITTER_EMPTY: u64 = 1 << 6;
/// The identifier the tests give their notification capabilities.
const IDENTIFIER: u64 = 0b1010_0000;
/// POLLs a test makes while it waits for an interrupt (the UART raises its
/// receive interrupt after a character timeout, well within this).
const POLLS_FOR_AN_INTERRUPT: u32 = 200_000;
/// POLLs that must all see nothing when no interrupt may come.
const POLLS_FOR_SILENCE: u32 = 20_000;
/// The line the boot test harness waits for before it types a key.
pub const TYPE_A_KEY_MARKER: &str = "kernel tests: type a key";

fn region() -> InterruptRegion {
    InterruptRegion::new(RootSlot::InterruptRegion.descriptor())
}

/// MAKE_PORT of `irq` into a new scratch slot.
fn make_port(context: &mut Context, irq: u64) -> Result<(Slot, InterruptPort), Failure> {
    let slot = context.slot()?;
    region()
        .make_port(irq, context.scratch.descriptor(), slot.index)
        .map_err(|error| Failure::new(format_args!("MAKE_PORT of IRQ {irq}: {}", error.name())))?;
    Ok((slot, InterruptPort::new(slot.descriptor)))
}

/// A new notification port whose capability carries `identifier`.
fn notification(
    context: &mut Context,
    identifier: u64,
) -> Result<(Slot, NotificationPort), Failure> {
    let slot = context.make(CapabilityType::NotificationPort, 0)?;
    let port = NotificationPort::new(slot.descriptor);
    port.identify(identifier).expect_ok("IDENTIFY")?;
    Ok((slot, port))
}

/// IRQ 4 made and bound to a new notification port identified by [`IDENTIFIER`].
fn bound_com1_port(context: &mut Context) -> Result<(InterruptPort, NotificationPort), Failure> {
    let (_, port) = make_port(context, COM1_IRQ)?;
    let (notification_slot, notification) = notification(context, IDENTIFIER)?;
    port.bind_notification_port(notification_slot.descriptor)
        .expect_ok("BIND_NOTIFICATION_PORT")?;
    Ok((port, notification))
}

/// POLLs `notification` until bits arrive, at most `polls` times; 0 if none came.
fn poll_for_bits(notification: NotificationPort, polls: u32) -> Result<u64, Failure> {
    for _ in 0..polls {
        let bits = notification.poll().expect_ok("POLL")?;
        if bits != 0 {
            return Ok(bits);
        }
    }
    Ok(0)
}

/// Fails unless `notification` receives exactly [`IDENTIFIER`] soon.
fn expect_interrupt(notification: NotificationPort, what: &str) -> TestResult {
    match poll_for_bits(notification, POLLS_FOR_AN_INTERRUPT)? {
        IDENTIFIER => Ok(()),
        0 => fail!("{what}: no notification"),
        bits => fail!("{what}: bits {bits:#x}, expected {IDENTIFIER:#x}"),
    }
}

/// Fails if `notification` receives anything for a while.
fn expect_silence(notification: NotificationPort, what: &str) -> TestResult {
    match poll_for_bits(notification, POLLS_FOR_SILENCE)? {
        0 => Ok(()),
        bits => fail!("{what}: notified with {bits:#x}"),
    }
}

/// COM1 with its receive interrupt enabled; dropping it restores the interrupt
/// enable and modem control registers it found.
struct Com1 {
    ports: IoPort,
    saved_interrupt_enable: u64,
    saved_modem_control: u64,
}

impl Com1 {
    /// Mints COM1's ports, empties the receive FIFO, enables the receive interrupt
    /// and OUT2, and loopback if asked.
    fn open(context: &mut Context, loopback: bool) -> Result<Self, Failure> {
        let slot = context.slot()?;
        IoPort::new(RootSlot::IoPort.descriptor())
            .mint(COM1, COM1 + 7, context.scratch.descriptor(), slot.index)
            .expect_ok("IO_PORT MINT of COM1")?;
        let ports = IoPort::new(slot.descriptor);
        let saved_interrupt_enable = ports
            .read(COM1 + INTERRUPT_ENABLE, IoWidth::Byte)
            .expect_ok("READ IER")?;
        let saved_modem_control = ports
            .read(COM1 + MODEM_CONTROL, IoWidth::Byte)
            .expect_ok("READ MCR")?;
        let com1 = Self {
            ports,
            saved_interrupt_enable,
            saved_modem_control,
        };
        let mut modem_control = saved_modem_control | OUT2;
        if loopback {
            com1.wait_until_sent()?;
            modem_control |= LOOPBACK;
        }
        com1.write(MODEM_CONTROL, modem_control)?;
        com1.drain()?;
        com1.write(INTERRUPT_ENABLE, RECEIVED_DATA)?;
        Ok(com1)
    }

    fn read(&self, register: u64) -> Result<u64, Failure> {
        self.ports
            .read(COM1 + register, IoWidth::Byte)
            .expect_ok("IO_PORT READ of COM1")
    }

    fn write(&self, register: u64, value: u64) -> Result<(), Failure> {
        self.ports
            .write(COM1 + register, IoWidth::Byte, value)
            .expect_ok("IO_PORT WRITE of COM1")
    }

    /// Waits (boundedly) until everything written has left the transmitter.
    fn wait_until_sent(&self) -> TestResult {
        for _ in 0..100_000 {
            if self.read(LINE_STATUS)? & TRANSMITTER_EMPTY != 0 {
                return Ok(());
            }
        }
        fail!("COM1's transmitter never emptied")
    }

    /// Sends `byte` (in loopback mode: receives it).
    fn send(&self, byte: u8) -> TestResult {
        self.wait_until_sent()?;
        self.write(DATA, u64::from(byte))
    }

    /// Reads every received byte; returns the last one, if any.
    fn drain(&self) -> Result<Option<u8>, Failure> {
        let mut last = None;
        for _ in 0..64 {
            if self.read(LINE_STATUS)? & DATA_READY == 0 {
                return Ok(last);
            }
            last = Some(self.read(DATA)? as u8);
        }
        fail!("COM1 keeps receiving")
    }
}

impl Drop for Com1 {
    fn drop(&mut self) {
        let _ = self.write(INTERRUPT_ENABLE, self.saved_interrupt_enable);
        let _ = self.drain();
        let _ = self.write(MODEM_CONTROL, self.saved_modem_control);
    }
}

/// IRQ numbers from 16 are GSIs as they are: q35's I/O APIC has 16..=23, not 24;
/// 127 is within the kernel's range but names no input here.
fn irq_numbers_from_16_name_gsis(context: &mut Context) -> TestResult {
    for irq in [16, 23] {
        let (_, port) = make_port(context, irq)?;
        let number = port.get_irq_number().expect_ok("GET_IRQ_NUMBER")?;
        ensure!(number == irq, "IRQ {irq}: GET_IRQ_NUMBER says {number}");
    }
    let slot = context.slot()?;
    for irq in [24, 127] {
        expect_error(
            region().make_port(irq, context.scratch.descriptor(), slot.index),
            CapabilityError::InvalidArgument,
            "MAKE_PORT of a GSI the I/O APIC lacks",
        )?;
        ensure_empty(slot.descriptor, "destination")?;
    }
    Ok(())
}

/// A minted child of a port keeps the port once the original is removed; the IRQ
/// is free again when the child goes too.
fn a_minted_port_capability_keeps_the_port(context: &mut Context) -> TestResult {
    let (original, _) = make_port(context, COM1_IRQ)?;
    let minted = context.mint(original.descriptor, Rights::READ)?;
    context
        .scratch
        .remove(original.index)
        .expect_ok("REMOVE of the original")?;
    let number = InterruptPort::new(minted.descriptor)
        .get_irq_number()
        .expect_ok("GET_IRQ_NUMBER through the minted child")?;
    ensure!(number == COM1_IRQ, "GET_IRQ_NUMBER says {number}");
    let spare = context.slot()?;
    expect_error(
        region().make_port(COM1_IRQ, context.scratch.descriptor(), spare.index),
        CapabilityError::IllegalOperation,
        "MAKE_PORT while the minted child lives",
    )?;
    context
        .scratch
        .remove(minted.index)
        .expect_ok("REMOVE of the child")?;
    region()
        .make_port(COM1_IRQ, context.scratch.descriptor(), spare.index)
        .expect_ok("MAKE_PORT after the last capability went")
}

/// A received byte raises IRQ 4; the bound notification port gets the identifier
/// of the capability given to BIND.
fn com1_interrupt_notifies_with_the_bound_identifier(context: &mut Context) -> TestResult {
    let (port, notification) = bound_com1_port(context)?;
    let com1 = Com1::open(context, true)?;
    expect_silence(notification, "before any byte")?;
    com1.send(b'a')?;
    expect_interrupt(notification, "after a byte")?;
    ensure!(com1.drain()? == Some(b'a'), "the byte did not come back");
    port.ack().expect_ok("ACK")
}

/// After delivery the line stays masked: more bytes notify nothing until ACK.
fn com1_interrupt_stays_masked_until_ack(context: &mut Context) -> TestResult {
    let (port, notification) = bound_com1_port(context)?;
    let com1 = Com1::open(context, true)?;
    com1.send(b'a')?;
    expect_interrupt(notification, "the first byte")?;
    com1.drain()?;
    com1.send(b'b')?;
    expect_silence(notification, "a byte before ACK")?;
    com1.drain()?;
    port.ack().expect_ok("ACK")?;
    com1.send(b'c')?;
    expect_interrupt(notification, "a byte after ACK")?;
    com1.drain()?;
    port.ack().expect_ok("the second ACK")
}

/// An unbound port notifies nothing; bound again, it delivers.
fn unbound_port_notifies_nothing_until_bound_again(context: &mut Context) -> TestResult {
    let (port, notification) = bound_com1_port(context)?;
    port.unbind().expect_ok("UNBIND")?;
    let com1 = Com1::open(context, true)?;
    com1.send(b'a')?;
    expect_silence(notification, "a byte while unbound")?;
    com1.drain()?;
    let (slot, rebound) = notification_in(context)?;
    port.bind_notification_port(slot.descriptor)
        .expect_ok("BIND again")?;
    com1.send(b'b')?;
    expect_interrupt(rebound, "a byte after BIND")?;
    expect_silence(notification, "the old notification port")?;
    com1.drain()?;
    port.ack().expect_ok("ACK")
}

/// A second notification port with [`IDENTIFIER`].
fn notification_in(context: &mut Context) -> Result<(Slot, NotificationPort), Failure> {
    notification(context, IDENTIFIER)
}

/// When the bound notification port is destroyed the binding goes with it: a new
/// notification port made in the same memory receives nothing.
fn a_destroyed_notification_port_is_unbound(context: &mut Context) -> TestResult {
    let (_, port) = make_port(context, COM1_IRQ)?;
    let (generic_slot, generic) = context.make_generic(12)?;
    let first = make_notification_from(context, generic, IDENTIFIER)?;
    port.bind_notification_port(first.descriptor)
        .expect_ok("BIND")?;
    context
        .scratch
        .revoke(generic_slot.index)
        .expect_ok("REVOKE of the notification port's Generic")?;
    ensure_empty(first.descriptor, "the destroyed notification port")?;
    let second = make_notification_from(context, generic, 1)?;
    let second_port = NotificationPort::new(second.descriptor);
    let com1 = Com1::open(context, true)?;
    com1.send(b'a')?;
    expect_silence(second_port, "a notification port in the old one's memory")?;
    com1.drain()?;
    let (slot, fresh) = notification_in(context)?;
    port.bind_notification_port(slot.descriptor)
        .expect_ok("BIND to a new notification port")?;
    com1.send(b'b')?;
    expect_interrupt(fresh, "a byte after BIND")?;
    com1.drain()?;
    port.ack().expect_ok("ACK")
}

/// A notification port converted from `generic`, identified by `identifier`.
fn make_notification_from(
    context: &mut Context,
    generic: Generic,
    identifier: u64,
) -> Result<Slot, Failure> {
    let slot = context.make_from(generic, CapabilityType::NotificationPort, 0)?;
    NotificationPort::new(slot.descriptor)
        .identify(identifier)
        .expect_ok("IDENTIFY")?;
    Ok(slot)
}

/// A real key from outside: prints [`TYPE_A_KEY_MARKER`] and WAITs (the CPU idles
/// until the interrupt wakes the test), reads the byte, ACKs.
fn com1_receives_a_typed_key(context: &mut Context) -> TestResult {
    let (port, notification) = bound_com1_port(context)?;
    let com1 = Com1::open(context, false)?;
    nun::debug_println!("{TYPE_A_KEY_MARKER}");
    let bits = notification.wait().expect_ok("WAIT")?;
    ensure!(bits == IDENTIFIER, "WAIT returned {bits:#x}");
    let Some(_key) = com1.drain()? else {
        fail!("notified, but COM1 holds no byte");
    };
    port.ack().expect_ok("ACK")
}
