//! What fulfilling a request does to the data held, by kind, and how the requester is told.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::inventory::{Category, RecordState};
use super::record::{read_category, read_state, Readable};

/// A correction an officer applies to chosen records: `field: value`, one per line. A value
/// that reads as JSON (a number, `true`, `null`, a quoted string) is stored as that; any
/// other text as a string.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction(Vec<(String, Value)>);

impl Correction {
    pub const MAX_FIELDS: usize = 50;

    pub fn parse(text: &str) -> Result<Correction, String> {
        let mut changes: Vec<(String, Value)> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (field, value) = line.split_once(':').ok_or_else(|| {
                format!("line {}: write each change as field: new value", index + 1)
            })?;
            let field = field.trim();
            if field.is_empty() || field.chars().count() > 100 {
                return Err(format!("line {}: name the field to change", index + 1));
            }
            let value = value.trim();
            let value = serde_json::from_str::<Value>(value)
                .ok()
                .filter(|v| !v.is_object() && !v.is_array())
                .unwrap_or_else(|| Value::String(value.to_string()));
            // A field named twice takes its last value, in its first place.
            match changes.iter_mut().find(|(existing, _)| existing == field) {
                Some(change) => change.1 = value,
                None => changes.push((field.to_string(), value)),
            }
        }
        if changes.is_empty() {
            return Err("write at least one change as field: new value".to_string());
        }
        if changes.len() > Self::MAX_FIELDS {
            return Err(format!("at most {} fields at once", Self::MAX_FIELDS));
        }
        Ok(Correction(changes))
    }

    /// Applies the correction; returns the names of the fields whose value changed.
    pub fn apply(&self, payload: &mut Map<String, Value>) -> Vec<String> {
        let mut changed = Vec::new();
        for (field, value) in &self.0 {
            if payload.get(field) != Some(value) {
                payload.insert(field.clone(), value.clone());
                changed.push(field.clone());
            }
        }
        changed
    }
}

/// A record as erasure sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRecord {
    pub id: String,
    pub category: Category,
    pub state: RecordState,
    /// Whether an active legal hold covers it (on the record or its subject).
    pub under_hold: bool,
}

impl HeldRecord {
    /// A stored record as erasure sees it: `None` when it is already out of use (nothing
    /// for erasure to do), an error when its state or category is not one the inventory
    /// knows. Such a record is never passed over: erasing around it would leave it in use
    /// without a word to anyone.
    pub fn read(
        id: &str,
        category: &str,
        state: &str,
        under_hold: bool,
    ) -> Result<Option<HeldRecord>, UnreadableRecord> {
        HeldRecord::of(id, &read_category(category), &read_state(state), under_hold)
    }

    /// [`HeldRecord::read`] of a record whose category and state were read already.
    pub fn of(
        id: &str,
        category: &Readable<Category>,
        state: &Readable<RecordState>,
        under_hold: bool,
    ) -> Result<Option<HeldRecord>, UnreadableRecord> {
        let unreadable = |problem: String| UnreadableRecord {
            id: id.to_string(),
            problem,
        };
        let state = *state.as_ref().map_err(|bad| {
            unreadable(format!(
                "has the state {:?}, which the inventory does not know",
                bad.text
            ))
        })?;
        if !state.in_use() {
            return Ok(None);
        }
        let category = category.clone().map_err(|bad| {
            unreadable(format!(
                "has the category {:?}, which is not valid ({})",
                bad.text, bad.reason
            ))
        })?;
        Ok(Some(HeldRecord {
            id: id.to_string(),
            category,
            state,
            under_hold,
        }))
    }
}

/// A record in use whose stored state or category cannot be read. The erasure does not go
/// ahead while it stands: the requester's answer must say truly what was erased and what
/// was kept, and this record would be neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableRecord {
    pub id: String,
    /// What is wrong with it, e.g. `has the category "Bad!", which is not valid (...)`.
    pub problem: String,
}

impl UnreadableRecord {
    /// What the officer is told; `record` names the record as the request page lists it.
    pub fn refusal(&self, record: &str) -> String {
        format!(
            "This erasure cannot go ahead: {record} {}. Nothing was changed. Correct the record \
             in the data inventory (import it again with a valid category), then fulfil the \
             request again.",
            self.problem
        )
    }
}

/// Which records an erasure takes out of use and which a legal hold keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErasurePlan {
    pub erase: Vec<String>,
    pub kept: Vec<String>,
    pub kept_categories: BTreeSet<Category>,
    pub erased_categories: BTreeSet<Category>,
}

pub fn plan_erasure(records: &[HeldRecord]) -> ErasurePlan {
    let mut plan = ErasurePlan::default();
    for record in records.iter().filter(|r| r.state.in_use()) {
        if record.under_hold {
            plan.kept.push(record.id.clone());
            plan.kept_categories.insert(record.category.clone());
        } else {
            plan.erase.push(record.id.clone());
            plan.erased_categories.insert(record.category.clone());
        }
    }
    plan
}

/// What fulfilment did, for the requester's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effects {
    Package {
        records: usize,
        expires_on: String,
        downloads: u32,
    },
    Rectified {
        records: usize,
    },
    Erased {
        plan: ErasurePlan,
        /// How long registration data is kept after the account is cancelled ("180 days").
        registration_period: String,
    },
    Restricted {
        records: usize,
    },
    Objected {
        purposes: Vec<String>,
    },
    ConsentWithdrawn {
        purposes: Vec<String>,
    },
    None,
}

/// The outcome in plain words for the requester; no data values, only counts and
/// category names.
pub fn outcome_summary(effects: &Effects) -> Option<String> {
    let categories = |set: &BTreeSet<Category>| {
        set.iter()
            .map(Category::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = match effects {
        Effects::Package {
            records,
            expires_on,
            downloads,
        } => format!(
            "Your data package is ready: {records} {} about you. Download it from your status page until {expires_on} (at most {downloads} downloads).",
            plural(*records, "record", "records")
        ),
        Effects::Rectified { records } => format!(
            "We corrected {records} {}.",
            plural(*records, "record", "records")
        ),
        Effects::Erased {
            plan,
            registration_period,
        } => {
            let mut text = if plan.erase.is_empty() {
                "We held no data about you that we could erase.".to_string()
            } else {
                format!(
                    "We removed {} {} from use ({}). They are deleted for good after the retention period; your account's registration data after {registration_period}.",
                    plan.erase.len(),
                    plural(plan.erase.len(), "record", "records"),
                    categories(&plan.erased_categories)
                )
            };
            if !plan.kept_categories.is_empty() {
                text.push_str(&format!(
                    " We could not erase the data in these categories, because a court or agency order requires us to keep it: {}. We will erase it when the order allows.",
                    categories(&plan.kept_categories)
                ));
            }
            text
        }
        Effects::Restricted { records } => format!(
            "We restricted the use of {records} {}: we keep them, but no longer use them or pass them on.",
            plural(*records, "record", "records")
        ),
        Effects::Objected { purposes } => format!(
            "We recorded your objection to: {}. We no longer process your data for these purposes.",
            purposes.join(", ")
        ),
        Effects::ConsentWithdrawn { purposes } => format!(
            "Your consent is withdrawn for: {}.",
            purposes.join(", ")
        ),
        Effects::None => return None,
    };
    Some(text)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn category(name: &str) -> Category {
        Category::parse(name).unwrap()
    }

    #[test]
    fn corrections_parse_lines_and_json_values() {
        let correction =
            Correction::parse("name: Asha Rao\nage: 32\n\nverified: true\nname: Asha R.").unwrap();
        let mut payload = json!({"name": "Asha", "age": 32, "city": "Pune"})
            .as_object()
            .cloned()
            .unwrap();
        let changed = correction.apply(&mut payload);
        assert_eq!(changed, vec!["name".to_string(), "verified".to_string()]);
        assert_eq!(payload["name"], json!("Asha R."));
        assert_eq!(payload["verified"], json!(true));
        assert_eq!(payload["city"], json!("Pune"));
        assert!(Correction::parse("").is_err());
        assert!(Correction::parse("no colon here")
            .unwrap_err()
            .starts_with("line 1"));
        assert!(Correction::parse(": value").is_err());
        let object_text = Correction::parse("address: {\"city\": \"Pune\"}").unwrap();
        let mut p = Map::new();
        object_text.apply(&mut p);
        assert_eq!(p["address"], json!("{\"city\": \"Pune\"}"));
    }

    #[test]
    fn erasure_keeps_what_a_hold_covers_and_skips_what_is_already_out_of_use() {
        let records = vec![
            HeldRecord {
                id: "1".into(),
                category: category("profile"),
                state: RecordState::Active,
                under_hold: false,
            },
            HeldRecord {
                id: "2".into(),
                category: category("content"),
                state: RecordState::Restricted,
                under_hold: true,
            },
            HeldRecord {
                id: "3".into(),
                category: category("contact"),
                state: RecordState::Erased,
                under_hold: false,
            },
            HeldRecord {
                id: "4".into(),
                category: category("registration"),
                state: RecordState::Restricted,
                under_hold: false,
            },
        ];
        let plan = plan_erasure(&records);
        assert_eq!(plan.erase, vec!["1".to_string(), "4".to_string()]);
        assert_eq!(plan.kept, vec!["2".to_string()]);
        assert_eq!(
            plan.kept_categories
                .iter()
                .map(Category::as_str)
                .collect::<Vec<_>>(),
            ["content"]
        );
        let summary = outcome_summary(&Effects::Erased {
            plan,
            registration_period: "180 days".into(),
        })
        .unwrap();
        assert!(
            summary.contains("We removed 2 records from use (profile, registration)"),
            "{summary}"
        );
        assert!(
            summary.contains("order requires us to keep it: content"),
            "{summary}"
        );
    }

    #[test]
    fn a_record_erasure_cannot_read_is_an_error_not_a_record_skipped() {
        let held = HeldRecord::read("1", "profile", "restricted", true).unwrap();
        assert_eq!(
            held,
            Some(HeldRecord {
                id: "1".into(),
                category: category("profile"),
                state: RecordState::Restricted,
                under_hold: true,
            })
        );
        // Out of use: nothing to erase, whatever its category says.
        assert_eq!(
            HeldRecord::read("2", "Not Valid", "erased", false),
            Ok(None)
        );
        assert_eq!(
            HeldRecord::read("3", "Not Valid", "purged", false),
            Ok(None)
        );

        let bad = HeldRecord::read("4", "Not Valid", "active", false).unwrap_err();
        assert_eq!(bad.id, "4");
        assert!(bad
            .problem
            .starts_with("has the category \"Not Valid\", which is not valid ("));
        let refusal = bad.refusal("the crm record R-2");
        assert!(
            refusal
                .starts_with("This erasure cannot go ahead: the crm record R-2 has the category"),
            "{refusal}"
        );
        assert!(refusal.contains("Nothing was changed."), "{refusal}");

        let bad = HeldRecord::read("5", "profile", "archived", false).unwrap_err();
        assert_eq!(
            bad.problem,
            "has the state \"archived\", which the inventory does not know"
        );
    }

    #[test]
    fn summaries_carry_counts_not_values() {
        assert_eq!(
            outcome_summary(&Effects::Rectified { records: 1 }).unwrap(),
            "We corrected 1 record."
        );
        assert!(outcome_summary(&Effects::None).is_none());
        let empty = outcome_summary(&Effects::Erased {
            plan: ErasurePlan::default(),
            registration_period: "180 days".into(),
        })
        .unwrap();
        assert_eq!(empty, "We held no data about you that we could erase.");
    }
}
