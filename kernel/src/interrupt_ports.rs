//! The interrupt port objects: one entry per GSI in a static table (the kernel has
//! no heap), made by INTERRUPT_REGION MAKE_PORT and freed with the port's last
//! capability. Delivery masks the line, ends the interrupt at the local APIC and
//! notifies the bound notification port; ACK unmasks the line again.
//!
//! A line is unmasked exactly while its port is bound and not waiting for an ACK.

use a9n_core::irq_routing::{GSI_LIMIT, Route};
use spin::Mutex;

use crate::arch::{apic, io_apic};
use crate::objects::notification_port;

/// Where a port delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Physical address of the notification port object.
    pub notification: u64,
    /// The bits to OR into its pending word: the identifier of the notification
    /// capability given to BIND_NOTIFICATION_PORT.
    pub bits: u64,
}

/// One GSI's port.
#[derive(Clone, Copy)]
struct Port {
    /// The IRQ number the port was made for (`None`: no port).
    irq: Option<u64>,
    /// The bound notification port.
    binding: Option<Binding>,
    /// An interrupt was delivered and not acknowledged yet.
    awaiting_ack: bool,
}

const NO_PORT: Port = Port {
    irq: None,
    binding: None,
    awaiting_ack: false,
};

static PORTS: Mutex<[Port; GSI_LIMIT as usize]> = Mutex::new([NO_PORT; GSI_LIMIT as usize]);

/// Applies the masking rule to `gsi` after its port changed.
fn update_mask(gsi: u32, port: &Port) {
    let unmasked = port.irq.is_some() && port.binding.is_some() && !port.awaiting_ack;
    io_apic::set_masked(gsi, !unmasked);
}

/// Whether `route`'s GSI already has a port.
#[must_use]
pub fn has_port(route: Route) -> bool {
    PORTS.lock()[route.gsi as usize].irq.is_some()
}

/// Makes the port of `irq`, arriving as `route` (which has no port yet): the line
/// is programmed and stays masked until the port is bound.
pub fn create(irq: u64, route: Route) {
    io_apic::configure(route);
    PORTS.lock()[route.gsi as usize] = Port {
        irq: Some(irq),
        ..NO_PORT
    };
}

/// Runs `change` on the port of `irq`, then applies the masking rule; `None` if
/// `irq` has no port.
fn with_port<T>(irq: u64, change: impl FnOnce(&mut Port) -> T) -> Option<T> {
    let gsi = io_apic::route(irq)?.gsi;
    let mut ports = PORTS.lock();
    let port = &mut ports[gsi as usize];
    if port.irq != Some(irq) {
        return None;
    }
    let result = change(port);
    update_mask(gsi, port);
    Some(result)
}

/// Whether `irq` has a port.
#[must_use]
pub fn exists(irq: u64) -> bool {
    with_port(irq, |_| ()).is_some()
}

/// Binds the port of `irq` to a notification port (replacing any binding).
pub fn bind(irq: u64, binding: Binding) {
    with_port(irq, |port| port.binding = Some(binding));
}

/// Unbinds the port of `irq` (its line is masked).
pub fn unbind(irq: u64) {
    with_port(irq, |port| port.binding = None);
}

/// Acknowledges the last interrupt of `irq` (its line is unmasked if bound).
pub fn acknowledge(irq: u64) {
    with_port(irq, |port| port.awaiting_ack = false);
}

/// The last capability of the port of `irq` is gone: mask the line, free the entry.
pub fn destroy(irq: u64) {
    with_port(irq, |port| *port = NO_PORT);
}

/// A notification port is being destroyed: ports bound to it become unbound.
pub fn notification_destroyed(notification: u64) {
    let mut ports = PORTS.lock();
    for (gsi, port) in ports.iter_mut().enumerate() {
        if port
            .binding
            .is_some_and(|binding| binding.notification == notification)
        {
            port.binding = None;
            update_mask(gsi as u32, port);
        }
    }
}

/// Handles device interrupt `vector`: masks its line, ends the interrupt and, if
/// its port is bound, notifies the notification port and waits for an ACK. An
/// interrupt of a line without port or binding only leaves the line masked.
pub fn deliver(vector: u64) {
    let Some(gsi) = io_apic::gsi_of_vector(vector) else {
        apic::end_of_interrupt();
        return;
    };
    io_apic::set_masked(gsi, true);
    apic::end_of_interrupt();
    let binding = {
        let mut ports = PORTS.lock();
        let port = &mut ports[gsi as usize];
        match (port.irq, port.binding) {
            (Some(_), Some(binding)) => {
                port.awaiting_ack = true;
                Some(binding)
            }
            _ => None,
        }
    };
    if let Some(binding) = binding {
        notification_port::signal(binding.notification, binding.bits);
    }
}
