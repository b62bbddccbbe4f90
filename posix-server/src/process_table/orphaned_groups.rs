//! Orphaned process groups: when an exit leaves a process group with no member
//! whose parent is in another group of the same session, and some member is
//! stopped, every member gets `SIGHUP` then `SIGCONT` (POSIX `_exit`, as Linux's
//! `kill_orphaned_pgrp`).

use alloc::vec::Vec;

use super::notification::Notification;
use super::pid::Pid;
use super::process::ProcessState;
use super::table::ProcessTable;
use crate::signals::Signal;

impl<T> ProcessTable<T> {
    /// Whether process group `group` is orphaned: no live member has a parent
    /// (other than pid 1) in another group of the same session.
    #[must_use]
    pub fn is_orphaned_group(&self, group: Pid) -> bool {
        !self.processes.values().any(|member| {
            if member.group != group || member.is_zombie() {
                return false;
            }
            let Some(parent) = member.parent.filter(|parent| *parent != Pid::INIT) else {
                return false;
            };
            self.processes
                .get(&parent)
                .is_some_and(|parent| parent.group != group && parent.session == member.session)
        })
    }

    /// Whether some member of `group` is stopped.
    fn has_stopped_members(&self, group: Pid) -> bool {
        self.processes
            .values()
            .any(|member| member.group == group && matches!(member.state, ProcessState::Stopped(_)))
    }

    /// The group of `member` lost its link through `former_parent` (which ended
    /// or was the parent of the process that ended): if `former_parent` was in
    /// another group of the same session and the group is now orphaned with a
    /// stopped member, sends `SIGHUP` then `SIGCONT` to every member.
    pub(super) fn hang_up_if_orphaned(
        &mut self,
        member: Pid,
        former_parent: Pid,
        notifications: &mut Vec<Notification>,
    ) {
        let (Some(member), Some(parent)) = (
            self.processes.get(&member),
            self.processes.get(&former_parent),
        ) else {
            return;
        };
        let group = member.group;
        if parent.group == group
            || parent.session != member.session
            || !self.is_orphaned_group(group)
            || !self.has_stopped_members(group)
        {
            return;
        }
        let members = self.group_members(group);
        for signal in [Signal::SIGHUP, Signal::SIGCONT] {
            for pid in &members {
                self.send(*pid, signal, false, notifications);
            }
        }
    }
}
