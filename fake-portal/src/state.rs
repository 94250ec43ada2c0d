//! Everything a fake portal remembers, and one call of a method against it.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::clock::unix_now;
use crate::config::Config;
use crate::events::Events;
use crate::failure::Failure;
use crate::faults::Faults;
use crate::idempotency::Idempotency;
use crate::limits::{LeakyBucket, OperatingBudget};
use crate::methods::{self, Api, Outcome};
use crate::outbox::Outbox;
use crate::request_log::LoggedRequest;
use crate::stats::Stats;
use crate::triggers;

/// Who is calling: the user, and the credential (webhook or application) whose
/// operating-time budget the call uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) user_id: u64,
    pub(crate) credential: String,
}

/// A live access token.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) user_id: u64,
    pub(crate) expires: Instant,
}

/// The portal's state.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) webhook_user: u64,
    pub(crate) webhook_code: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) access_tokens: HashMap<String, AccessToken>,
    pub(crate) refresh_tokens: HashMap<String, u64>,
    pub(crate) bucket: Option<LeakyBucket>,
    pub(crate) operating: HashMap<(String, String), OperatingBudget>,
    pub(crate) faults: Faults,
    pub(crate) idempotency: Idempotency,
    pub(crate) options: BTreeMap<String, Value>,
    pub(crate) events: Events,
    pub(crate) items: BTreeMap<i64, BTreeMap<i64, Map<String, Value>>>,
    pub(crate) last_item_id: i64,
    pub(crate) tasks: BTreeMap<i64, Map<String, Value>>,
    pub(crate) last_task_id: i64,
    pub(crate) users: Vec<Value>,
    pub(crate) stats: Stats,
    pub(crate) request_log: Vec<LoggedRequest>,
    random: RandomState,
    issued: u64,
}

impl State {
    /// A fresh portal whose events go to `outbox`.
    pub(crate) fn new(config: Config, outbox: Outbox) -> Self {
        let users = (1..=config.extra_users as u64 + 1).map(user).collect();
        let bucket = config
            .rate_limit
            .map(|(burst, per_second)| LeakyBucket::new(burst, per_second));
        let mut state = Self {
            config,
            webhook_user: 1,
            webhook_code: String::new(),
            client_id: "local.fakeportal0000.00000000".to_owned(),
            client_secret: String::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            bucket,
            operating: HashMap::new(),
            faults: Faults::default(),
            idempotency: Idempotency::default(),
            options: BTreeMap::new(),
            events: Events::new(String::new(), outbox),
            items: BTreeMap::new(),
            last_item_id: 0,
            tasks: BTreeMap::new(),
            last_task_id: 0,
            users,
            stats: Stats::default(),
            request_log: Vec::new(),
            random: RandomState::new(),
            issued: 0,
        };
        state.webhook_code = state.random_code(16);
        state.client_secret = state.random_code(50);
        state.events.application_token = state.random_code(32);
        state
    }

    /// A fresh random string of lowercase letters and digits.
    pub(crate) fn random_code(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(len);
        while out.len() < len {
            self.issued += 1;
            let mut bits = self.random.hash_one(self.issued);
            for _ in 0..10 {
                if out.len() == len {
                    break;
                }
                out.push(char::from(ALPHABET[(bits % 36) as usize]));
                bits /= 36;
            }
        }
        out
    }

    /// Issues a pair of tokens for `user_id`: (access token, refresh token).
    pub(crate) fn issue_tokens(&mut self, user_id: u64) -> (String, String) {
        let access = self.random_code(32);
        let refresh = self.random_code(32);
        let expires = Instant::now() + self.config.access_token_ttl;
        self.access_tokens
            .insert(access.clone(), AccessToken { user_id, expires });
        self.refresh_tokens.insert(refresh.clone(), user_id);
        (access, refresh)
    }

    /// Runs one method call (on its own or inside `batch`): checks the method's
    /// operating-time budget, runs it, and charges its cost. Returns the outcome and the
    /// method's operating-time figures for the reply's `time`.
    pub(crate) fn invoke(
        &mut self,
        caller: &Caller,
        api: Api,
        method: &str,
        params: &Map<String, Value>,
    ) -> Result<(Outcome, Option<(f64, i64)>), Failure> {
        if !methods::exists(api, method) {
            return Err(Failure::new(
                404,
                "ERROR_METHOD_NOT_FOUND",
                "Method not found!",
            ));
        }
        let key = (caller.credential.clone(), method.to_owned());
        if let Some((limit, basket)) = self.config.operating_limit {
            let used = self
                .operating
                .entry(key.clone())
                .or_default()
                .used(unix_now(), basket);
            if used > limit {
                self.stats.operating_limited += 1;
                return Err(Failure::new(
                    429,
                    "OPERATION_TIME_LIMIT",
                    "Method is blocked due to operation time limit.",
                ));
            }
        }
        *self.stats.executed.entry(method.to_owned()).or_default() += 1;
        let outcome = methods::run(self, caller, api, method, params)?;
        if api == Api::V2 {
            triggers::after_call(self, caller, method, params, &outcome);
        }
        let operating = self.config.operating_limit.and_then(|(_, basket)| {
            let cost = self.config.method_costs.get(method).copied().unwrap_or(0.0);
            let budget = self.operating.entry(key).or_default();
            let now = unix_now();
            budget.charge(now, basket, cost);
            Some((budget.used(now, basket), budget.reset_at(basket)?))
        });
        Ok((outcome, operating))
    }
}

/// User `id` of the portal; user 1 is the administrator.
fn user(id: u64) -> Value {
    let (name, last_name) = if id == 1 {
        ("Admin".to_owned(), "Portal".to_owned())
    } else {
        (format!("User{id}"), "Test".to_owned())
    };
    json!({
        "ID": id.to_string(),
        "XML_ID": "",
        "ACTIVE": true,
        "NAME": name,
        "LAST_NAME": last_name,
        "SECOND_NAME": "",
        "EMAIL": format!("user{id}@example.com"),
        "LAST_LOGIN": "2024-08-29T10:29:54+00:00",
        "DATE_REGISTER": "2023-08-24T00:00:00+00:00",
        "IS_ONLINE": "N",
        "TIME_ZONE": "",
        "PERSONAL_GENDER": "",
        "PERSONAL_BIRTHDAY": "",
        "UF_EMPLOYMENT_DATE": "",
        "UF_DEPARTMENT": [1],
        "USER_TYPE": "employee",
    })
}

#[cfg(test)]
mod tests {
    use super::State;
    use crate::config::Config;
    use crate::outbox::Outbox;

    #[test]
    fn codes_are_random_and_of_the_requested_length() {
        let (outbox, _) = Outbox::new(String::new());
        let mut state = State::new(Config::default(), outbox);
        let a = state.random_code(32);
        let b = state.random_code(32);
        assert_eq!((a.len(), b.len()), (32, 32));
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(state.webhook_code.len(), 16);
        assert_eq!(state.events.application_token.len(), 32);
    }
}
