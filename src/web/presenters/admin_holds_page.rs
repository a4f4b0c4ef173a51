//! The admin page of legal holds on people from the holds in force: every text it shows.

use crate::app::subject_holds::SubjectHold;
use crate::domain::subject_hold::RawSubjectHold;
use crate::domain::submission::FieldError;
use crate::web::hold_pages::{AdminHoldsPage, SubjectHoldRow};
use crate::web::officer_pages::OfficerNav;
use crate::web::view;

/// Fills the page. `form` is what the place form keeps (empty after a redirect), `errors`
/// its validation messages, `done` the change just made (from the redirect).
pub fn admin_holds_page(
    nav: OfficerNav,
    holds: Vec<SubjectHold>,
    form: &RawSubjectHold,
    errors: &[FieldError],
    done: Option<&str>,
) -> AdminHoldsPage {
    AdminHoldsPage {
        nav,
        holds: holds.into_iter().map(hold_row).collect(),
        errors: view::field_errors(errors.to_vec()),
        notice: done.and_then(notice_for).map(str::to_string),
        email: form.email.clone(),
        order_reference: form.order_reference.clone(),
        reason: form.reason.clone(),
        expires_on: form.expires_on.clone(),
    }
}

fn hold_row(item: SubjectHold) -> SubjectHoldRow {
    SubjectHoldRow {
        expires_on: view::hold_expiry(&item.hold),
        id: item.hold.id.to_string(),
        email: item.email,
        order_reference: item.hold.order_reference,
        reason: item.hold.reason,
        origin: match item.origin_reference {
            Some(reference) => format!("from request {reference}"),
            None => "without a request".to_string(),
        },
        placed_by: item.placed_by,
        placed_at: view::display_time(item.hold.placed_at),
    }
}

/// What the admin is told after a change (its name comes back in the URL).
fn notice_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "placed" => "The hold is placed: nothing held about this person is purged while it is in force.",
        "placed_new" => "The hold is placed. We hold no data about this person yet; whatever arrives under this email address is kept while the hold is in force.",
        "released" => "The hold is released. The person’s data follows its retention periods again.",
        _ => return None,
    })
}
