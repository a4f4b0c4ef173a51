//! What a requester is told when their request is refused.

use super::officer_action::RejectionReason;
use super::regime::Regime;

/// The GDPR's notice of the right to complain (Art. 12(4)): every EU refusal carries it.
const EU_COMPLAINT_RIGHT: &str = "You have the right to lodge a complaint with a data protection supervisory authority, in particular in the country where you live or work, and to seek a judicial remedy.";

/// The message a refused requester receives: the reason in plain words, the officer's
/// explanation, and whatever the regime requires a refusal to say.
pub fn refusal_message(reason: RejectionReason, explanation: &str, regime: Regime) -> String {
    let mut body = format!("{}.\n\n{explanation}", reason.label());
    if regime == Regime::Eu {
        body.push_str("\n\n");
        body.push_str(EU_COMPLAINT_RIGHT);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_eu_refusals_name_the_right_to_complain() {
        let eu = refusal_message(RejectionReason::Excessive, "Asked weekly.", Regime::Eu);
        assert!(eu.starts_with("The request is excessive or repetitive.\n\nAsked weekly."));
        assert!(eu.ends_with(EU_COMPLAINT_RIGHT));
        for regime in Regime::ALL.into_iter().filter(|r| *r != Regime::Eu) {
            let other = refusal_message(RejectionReason::Excessive, "Asked weekly.", regime);
            assert!(!other.contains("supervisory authority"), "{regime:?}");
        }
    }
}
