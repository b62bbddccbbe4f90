//! Per-client accounting: memory used against a limit, objects and address spaces
//! held, and the figures STATS reports.
//!
//! A client is charged for every frame mapped on its behalf (first touch, copy on
//! write), every kernel object it was given, and the address-space object and page
//! tables of each space it owns, and uncharged when they go. A
//! charge past the limit is refused with [`AccountError::LimitExceeded`] and changes
//! nothing.

use alloc::collections::BTreeMap;

use mm_server_api::request::UNLIMITED;
use mm_server_api::{ClientId, StatsReply};

/// Why a charge was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountError {
    /// The client would pass its limit.
    LimitExceeded,
    /// More would be uncharged than is charged (a server bug; nothing changes).
    Underflow,
}

/// One client's figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// Bytes charged.
    pub used_bytes: u64,
    /// Bytes allowed ([`UNLIMITED`] for no limit).
    pub limit_bytes: u64,
    /// Address spaces owned.
    pub address_spaces: u64,
    /// Objects held from ALLOCATE_OBJECT.
    pub objects: u64,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            used_bytes: 0,
            limit_bytes: UNLIMITED,
            address_spaces: 0,
            objects: 0,
        }
    }
}

/// Every client's account (a client without one has used nothing, without limit).
#[derive(Clone, Debug, Default)]
pub struct Accounts {
    accounts: BTreeMap<ClientId, Account>,
}

impl Accounts {
    /// No accounts.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            accounts: BTreeMap::new(),
        }
    }

    /// The client's figures.
    #[must_use]
    pub fn get(&self, client: ClientId) -> Account {
        self.accounts.get(&client).copied().unwrap_or_default()
    }

    fn entry(&mut self, client: ClientId) -> &mut Account {
        self.accounts.entry(client).or_default()
    }

    /// Drops accounts back at their defaults, so that clients that come and go leave
    /// nothing behind.
    fn tidy(&mut self, client: ClientId) {
        if self.accounts.get(&client) == Some(&Account::default()) {
            self.accounts.remove(&client);
        }
    }

    /// Checks that `bytes` more fit in the client's limit, without charging.
    ///
    /// # Errors
    /// [`AccountError::LimitExceeded`].
    pub fn check(&self, client: ClientId, bytes: u64) -> Result<(), AccountError> {
        let account = self.get(client);
        match account.used_bytes.checked_add(bytes) {
            Some(total) if total <= account.limit_bytes => Ok(()),
            _ => Err(AccountError::LimitExceeded),
        }
    }

    /// Charges `bytes` to the client.
    ///
    /// # Errors
    /// [`AccountError::LimitExceeded`] (nothing charged).
    pub fn charge(&mut self, client: ClientId, bytes: u64) -> Result<(), AccountError> {
        self.check(client, bytes)?;
        self.entry(client).used_bytes += bytes;
        Ok(())
    }

    /// Gives `bytes` back to the client.
    ///
    /// # Errors
    /// [`AccountError::Underflow`] (nothing changes).
    pub fn uncharge(&mut self, client: ClientId, bytes: u64) -> Result<(), AccountError> {
        let account = self.entry(client);
        let result = match account.used_bytes.checked_sub(bytes) {
            Some(used) => {
                account.used_bytes = used;
                Ok(())
            }
            None => Err(AccountError::Underflow),
        };
        self.tidy(client);
        result
    }

    /// Sets the client's limit (it may be below what it uses: further charges fail).
    pub fn set_limit(&mut self, client: ClientId, limit_bytes: u64) {
        self.entry(client).limit_bytes = limit_bytes;
        self.tidy(client);
    }

    /// Counts an address space made for (`true`) or destroyed by (`false`) the client.
    pub fn count_address_space(&mut self, client: ClientId, made: bool) {
        let account = self.entry(client);
        account.address_spaces = if made {
            account.address_spaces.saturating_add(1)
        } else {
            account.address_spaces.saturating_sub(1)
        };
        self.tidy(client);
    }

    /// Counts objects given to (`true`) or freed by (`false`) the client.
    pub fn count_objects(&mut self, client: ClientId, count: u64, given: bool) {
        let account = self.entry(client);
        account.objects = if given {
            account.objects.saturating_add(count)
        } else {
            account.objects.saturating_sub(count)
        };
        self.tidy(client);
    }

    /// Bytes charged to all clients.
    #[must_use]
    pub fn total_used(&self) -> u64 {
        self.accounts
            .values()
            .fold(0u64, |sum, account| sum.saturating_add(account.used_bytes))
    }

    /// Clients with an account that is not at its defaults.
    #[must_use]
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True if every client is at its defaults.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The STATS reply for `client`, given the allocator's RAM figures.
    #[must_use]
    pub fn stats(&self, client: ClientId, total_bytes: u64, free_bytes: u64) -> StatsReply {
        let account = self.get(client);
        StatsReply {
            total_bytes,
            free_bytes: free_bytes.min(total_bytes),
            client_used_bytes: account.used_bytes,
            client_limit_bytes: account.limit_bytes,
            client_address_spaces: account.address_spaces,
            client_objects: account.objects,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    #[test]
    fn limits_refuse_without_charging() {
        let mut accounts = Accounts::new();
        let client = ClientId(3);
        accounts.set_limit(client, 8192);
        accounts.charge(client, 4096).unwrap();
        assert_eq!(
            accounts.charge(client, 8192),
            Err(AccountError::LimitExceeded)
        );
        assert_eq!(accounts.get(client).used_bytes, 4096);
        assert_eq!(
            accounts.charge(client, u64::MAX),
            Err(AccountError::LimitExceeded)
        );
        accounts.set_limit(client, 0);
        assert_eq!(accounts.charge(client, 1), Err(AccountError::LimitExceeded));
        assert_eq!(
            accounts.uncharge(client, 8192),
            Err(AccountError::Underflow)
        );
        accounts.uncharge(client, 4096).unwrap();
        accounts.count_address_space(client, true);
        accounts.count_objects(client, 3, true);
        let stats = accounts.stats(client, 1 << 30, 1 << 29);
        assert_eq!((stats.client_used_bytes, stats.client_limit_bytes), (0, 0));
        assert_eq!((stats.client_address_spaces, stats.client_objects), (1, 3));
        accounts.count_address_space(client, false);
        accounts.count_objects(client, 3, false);
        accounts.set_limit(client, UNLIMITED);
        assert!(accounts.is_empty(), "back at defaults: nothing kept");
    }

    proptest! {
        #[test]
        fn charges_never_pass_the_limit_and_balance(
            limit in 0..1u64 << 20,
            steps in proptest::collection::vec((any::<bool>(), 0..1u64 << 16), 0..100),
        ) {
            let mut accounts = Accounts::new();
            let client = ClientId(1);
            accounts.set_limit(client, limit);
            let mut charged = Vec::new();
            for (charge, bytes) in steps {
                if charge {
                    let fits = accounts.get(client).used_bytes + bytes <= limit;
                    prop_assert_eq!(accounts.charge(client, bytes).is_ok(), fits);
                    if fits {
                        charged.push(bytes);
                    }
                } else if let Some(bytes) = charged.pop() {
                    accounts.uncharge(client, bytes).unwrap();
                }
                prop_assert!(accounts.get(client).used_bytes <= limit);
                prop_assert_eq!(accounts.get(client).used_bytes, charged.iter().sum::<u64>());
            }
            for bytes in charged.drain(..) {
                accounts.uncharge(client, bytes).unwrap();
            }
            prop_assert_eq!(accounts.total_used(), 0);
        }
    }
}
