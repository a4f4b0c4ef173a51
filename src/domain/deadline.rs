//! Deadline rules per regime and request kind (DESIGN.md section 2, "Regimes").
//!
//! Every clock starts at receipt of the request, not at verification: CCPA says so
//! outright and GDPR counts from receipt. All times are UTC `OffsetDateTime`s.

use time::OffsetDateTime;

use super::calendar::BusinessCalendar;
use super::kind::RequestKind;
use super::regime::Regime;
use super::span::Span;

mod overrides;
#[cfg(test)]
mod tests;

pub use overrides::{
    ExtensionOverride, PolicyError, PolicyOverrides, RegimeOverrides, RuleOverride,
};

/// When a request must be acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledge {
    /// Within this span of receipt.
    Within(Span),
    /// Verifying the requester's email is itself the acknowledgement (GDPR has no separate
    /// acknowledgement deadline), so there is no date to track.
    OnVerification,
}

/// The clocks of one regime (or of India's grievance channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegimeRule {
    /// When the request must be acknowledged.
    pub acknowledge: Acknowledge,
    /// How long, from receipt, the organisation has to respond.
    pub respond: Span,
    /// The one extension the law allows, if any.
    pub extension: Option<Span>,
    /// Move a due date counted in days or months off weekends and holidays.
    pub roll_to_business_day: bool,
}

/// The full deadline table plus the calendar its business days are counted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlinePolicy {
    /// India, kind `grievance` (IT Rules 2021 r.3(2)(a)(i)).
    pub india_grievance: RegimeRule,
    /// India, a grievance about content removal: replaces `india_grievance.respond`.
    pub india_content_removal_respond: Span,
    /// India, every other kind (DPDP Act 2023).
    pub india: RegimeRule,
    /// GDPR Art. 12(3).
    pub eu: RegimeRule,
    /// CCPA / CPRA.
    pub us_ca: RegimeRule,
    /// The organisation's own policy.
    pub other: RegimeRule,
    /// Weekends plus configured holidays.
    pub calendar: BusinessCalendar,
}

/// The computed deadlines of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// `None` when acknowledgement happens on verification.
    pub acknowledge_by: Option<OffsetDateTime>,
    /// The response due date before any extension.
    pub respond_by: OffsetDateTime,
}

impl Default for DeadlinePolicy {
    /// The built-in table from DESIGN.md; each entry is overridable from `[policy]`.
    fn default() -> Self {
        Self {
            india_grievance: RegimeRule {
                acknowledge: Acknowledge::Within(Span::Hours(24)),
                respond: Span::Days(15),
                extension: None,
                roll_to_business_day: false,
            },
            india_content_removal_respond: Span::Hours(72),
            india: RegimeRule {
                acknowledge: Acknowledge::Within(Span::Hours(24)),
                respond: Span::Days(30),
                // 30 + 60 keeps the total at the DPDP Rules' 90-day ceiling.
                extension: Some(Span::Days(60)),
                roll_to_business_day: false,
            },
            eu: RegimeRule {
                acknowledge: Acknowledge::OnVerification,
                respond: Span::Months(1),
                extension: Some(Span::Months(2)),
                roll_to_business_day: true,
            },
            us_ca: RegimeRule {
                acknowledge: Acknowledge::Within(Span::BusinessDays(10)),
                respond: Span::Days(45),
                extension: Some(Span::Days(45)),
                roll_to_business_day: false,
            },
            other: RegimeRule {
                acknowledge: Acknowledge::Within(Span::BusinessDays(3)),
                respond: Span::Days(30),
                extension: Some(Span::Days(30)),
                roll_to_business_day: false,
            },
            calendar: BusinessCalendar::default(),
        }
    }
}

impl DeadlinePolicy {
    /// The rule that applies to a request of `kind` under `regime`.
    pub fn rule_for(&self, regime: Regime, kind: RequestKind) -> &RegimeRule {
        match (regime, kind) {
            (Regime::In, RequestKind::Grievance) => &self.india_grievance,
            (Regime::In, _) => &self.india,
            (Regime::Eu, _) => &self.eu,
            (Regime::UsCa, _) => &self.us_ca,
            (Regime::Other, _) => &self.other,
        }
    }

    /// Acknowledgement and response deadlines for a request received at `received_at`.
    ///
    /// `content_removal` only matters for an Indian grievance, whose clock is then 72 hours.
    pub fn deadlines_for(
        &self,
        regime: Regime,
        kind: RequestKind,
        content_removal: bool,
        received_at: OffsetDateTime,
    ) -> Deadlines {
        let rule = self.rule_for(regime, kind);
        let acknowledge_by = match rule.acknowledge {
            Acknowledge::Within(span) => Some(self.due_after(rule, span, received_at)),
            Acknowledge::OnVerification => None,
        };
        let respond = self.respond_span(regime, kind, content_removal);
        Deadlines {
            acknowledge_by,
            respond_by: self.due_after(rule, respond, received_at),
        }
    }

    /// The response due date after the one allowed extension, or `None` if there is none.
    ///
    /// When the response period and the extension share a unit they are added as one span
    /// (1 month + 2 months = 3 months from receipt, so Jan 31 gives Apr 30, not Apr 28).
    /// Otherwise the extension runs from the original, unrolled due date: rolling is a
    /// convenience for the requester and must not lengthen the extension.
    pub fn extended_due(
        &self,
        regime: Regime,
        kind: RequestKind,
        content_removal: bool,
        received_at: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        let rule = self.rule_for(regime, kind);
        let extension = rule.extension?;
        let respond = self.respond_span(regime, kind, content_removal);
        Some(match combine(respond, extension) {
            Some(total) => self.due_after(rule, total, received_at),
            None => {
                let original = respond.add_to(received_at, &self.calendar);
                self.due_after(rule, extension, original)
            }
        })
    }

    /// One plain sentence explaining how the response due date is computed, e.g.
    /// "GDPR: 1 month from receipt, moved to the next business day when it falls on a
    /// weekend or holiday; extendable once by 2 months."
    /// The facts [`describe`](Self::describe) puts in words, for a language to word them.
    pub fn facts(&self, regime: Regime, kind: RequestKind, content_removal: bool) -> DueRuleFacts {
        let rule = self.rule_for(regime, kind);
        let respond = self.respond_span(regime, kind, content_removal);
        DueRuleFacts {
            regime,
            respond,
            business_days: matches!(respond, Span::BusinessDays(_)),
            content_removal: is_content_removal(regime, kind, content_removal),
            rolls: rule.roll_to_business_day && rolls(respond),
            extension: rule.extension,
        }
    }

    pub fn describe(&self, regime: Regime, kind: RequestKind, content_removal: bool) -> String {
        let rule = self.rule_for(regime, kind);
        let respond = self.respond_span(regime, kind, content_removal);
        let mut text = format!("{}: {respond} from receipt", regime.law());
        if matches!(respond, Span::BusinessDays(_)) {
            text.push_str(", not counting weekends or holidays");
        }
        if is_content_removal(regime, kind, content_removal) {
            text.push_str(" for a content-removal complaint");
        }
        if rule.roll_to_business_day && rolls(respond) {
            text.push_str(", moved to the next business day when it falls on a weekend or holiday");
        }
        match rule.extension {
            Some(extension) => text.push_str(&format!("; extendable once by {extension}.")),
            None => text.push_str("; it cannot be extended."),
        }
        text
    }

    /// The response period, with India's content-removal clock substituted in.
    fn respond_span(&self, regime: Regime, kind: RequestKind, content_removal: bool) -> Span {
        if is_content_removal(regime, kind, content_removal) {
            self.india_content_removal_respond
        } else {
            self.rule_for(regime, kind).respond
        }
    }

    /// `span` after `from`, rolled to a business day when the rule asks for it.
    fn due_after(&self, rule: &RegimeRule, span: Span, from: OffsetDateTime) -> OffsetDateTime {
        let due = span.add_to(from, &self.calendar);
        if rule.roll_to_business_day && rolls(span) {
            due.replace_date(self.calendar.next_business_day_on_or_after(due.date()))
        } else {
            due
        }
    }
}

/// How a request's due date is worked out: the regime (whose law it is), the response
/// period, and what the period does and does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueRuleFacts {
    pub regime: Regime,
    pub respond: Span,
    /// The period counts business days only.
    pub business_days: bool,
    /// India's content-removal clock applies.
    pub content_removal: bool,
    /// A due date on a weekend or holiday moves to the next business day.
    pub rolls: bool,
    /// How far the deadline may be extended once, if at all.
    pub extension: Option<Span>,
}

/// Whether India's 72-hour content-removal clock applies.
fn is_content_removal(regime: Regime, kind: RequestKind, content_removal: bool) -> bool {
    content_removal && regime == Regime::In && kind == RequestKind::Grievance
}

/// Only day and month counts roll: hour clocks are exact legal limits (24/72 hours) and
/// business-day counts already land on a business day.
fn rolls(span: Span) -> bool {
    matches!(span, Span::Days(_) | Span::Months(_))
}

/// The two spans as one when they share a unit (saturating on absurd sizes).
fn combine(a: Span, b: Span) -> Option<Span> {
    match (a, b) {
        (Span::Hours(x), Span::Hours(y)) => Some(Span::Hours(x.saturating_add(y))),
        (Span::Days(x), Span::Days(y)) => Some(Span::Days(x.saturating_add(y))),
        (Span::BusinessDays(x), Span::BusinessDays(y)) => {
            Some(Span::BusinessDays(x.saturating_add(y)))
        }
        (Span::Months(x), Span::Months(y)) => Some(Span::Months(x.saturating_add(y))),
        _ => None,
    }
}
