use super::*;
use askama::Template;

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" width="232" height="232" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h29v29H0z"/><path fill="#000" d="M4 4h7v1H4z"/></svg>"##;

fn nav(is_admin: bool) -> OfficerNav {
    OfficerNav {
        name: "Asha Rao".into(),
        role_label: if is_admin { "Admin" } else { "Officer" }.into(),
        is_admin,
        sees_retention: is_admin,
        can_record: true,
        csrf_token: "csrf-nav".into(),
    }
}

fn opt(value: &str, label: &str, selected: bool) -> SelectOption {
    SelectOption {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The `<form ...>...</form>` elements of a page, in order.
fn forms(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let end = start + rest[start..].find("</form>").expect("unclosed form") + 7;
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// The opening tag of the element whose attributes contain `marker`.
fn tag_with<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} missing"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    &html[start..end]
}

/// Every page: the shared shell, nothing CSP would block, nothing off-site.
fn assert_shell(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains(r#"name="viewport""#));
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/style.css">"#));
    assert!(html.contains(r##"<a class="skip-link" href="#main">"##));
    assert!(html.contains(r#"<main id="main""#));
    assert!(html.contains("rightsdesk · Officer</a>"));
    assert!(html.contains("<h1"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("style="));
    assert!(!html.contains("<style"));
    // The QR code's SVG namespace is an identifier, not a resource.
    let rest = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    assert!(!rest.contains("http://") && !rest.contains("https://"));
    assert!(!rest.contains("href=\"//") && !rest.contains("src="));
    // Every label points at a control that exists, and ids are unique.
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    for label in html.split("<label ").skip(1) {
        let f = &label[label.find("for=\"").expect("label without for") + 5..];
        let f = &f[..f.find('"').unwrap()];
        assert!(ids.contains(&f), "label for missing id {f}");
    }
    for d in html.split("aria-describedby=\"").skip(1) {
        for id in d[..d.find('"').unwrap()].split_whitespace() {
            assert!(ids.contains(&id), "aria-describedby to missing id {id}");
        }
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    // Tables are captioned, scoped and in a focusable scroll region.
    assert_eq!(count(html, "<table"), count(html, "<caption"));
    assert_eq!(
        count(html, "<table"),
        count(
            html,
            r#"<div class="table-wrap" role="region" aria-labelledby="#
        )
    );
    assert_eq!(count(html, "<th>"), 0, "th without scope");
}

/// Signed-in pages: the officer nav and a sign-out form.
fn assert_officer_shell(html: &str, admin: bool) {
    assert_shell(html);
    assert!(html.contains(r#"<nav aria-label="Officer">"#));
    assert!(html.contains(r#"<a href="/officer/queue">Queue</a>"#));
    assert!(html.contains(r#"<a href="/officer/audit">Audit trail</a>"#));
    assert_eq!(
        html.contains(r#"<a href="/officer/admin/officers">Officers</a>"#),
        admin
    );
    assert_eq!(
        html.contains(r#"<a href="/officer/admin/mail">Mail delivery</a>"#),
        admin
    );
    assert!(html.contains("Asha Rao"));
    assert!(html.contains(if admin { "Admin" } else { "Officer" }));
    let logout = forms(html)
        .into_iter()
        .find(|f| f.contains(r#"action="/officer/logout""#))
        .expect("sign-out form");
    assert!(logout.contains(r#"method="post""#));
    assert!(logout.contains(r#"name="csrf_token" value="csrf-nav""#));
    assert!(logout.contains("Sign out</button>"));
}

fn assert_no_session_shell(html: &str) {
    assert_shell(html);
    assert!(!html.contains("/officer/logout"));
    assert!(!html.contains(r#"<nav aria-label="Officer">"#));
}

#[test]
fn login_page() {
    let html = LoginPage {
        csrf_token: "csrf-abc".into(),
        email: "a<b>@example.org".into(),
        error: None,
    }
    .render()
    .unwrap();
    assert_no_session_shell(&html);
    assert!(html.contains("<title>Sign in – rightsdesk Officer</title>"));
    let f = forms(&html);
    assert_eq!(f.len(), 1);
    assert!(f[0].starts_with(r#"<form method="post" action="/officer/login""#));
    assert!(f[0].contains(r#"name="csrf_token" value="csrf-abc""#));
    let email = tag_with(&html, r#"name="email""#);
    assert!(email.contains(r#"type="email""#) && email.contains(r#"autocomplete="username""#));
    assert!(
        email.contains(r#"value="a&#60;b&#62;@example.org""#),
        "{email}"
    );
    let pw = tag_with(&html, r#"name="password""#);
    assert!(pw.contains(r#"type="password""#));
    assert!(pw.contains(r#"autocomplete="current-password""#));
    assert!(!pw.contains("value="));
    assert!(!html.contains(r#"role="alert""#) && !html.contains("aria-invalid"));

    let html = LoginPage {
        csrf_token: "csrf-abc".into(),
        email: "a@example.org".into(),
        error: Some("The email address or password is not right.".into()),
    }
    .render()
    .unwrap();
    assert_no_session_shell(&html);
    assert!(html.contains("<title>Error: Sign in"));
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("The email address or password is not right."));
    assert_eq!(count(&html, r#"aria-invalid="true""#), 2);
    assert!(html.find(r#"role="alert""#).unwrap() < html.find("<form").unwrap());
}

#[test]
fn login_code_page() {
    let page = |error: Option<&str>| LoginCodePage {
        csrf_token: "csrf-abc".into(),
        error: error.map(Into::into),
    };
    let html = page(None).render().unwrap();
    assert_no_session_shell(&html);
    let f = forms(&html);
    assert_eq!(f.len(), 1);
    assert!(f[0].starts_with(r#"<form method="post" action="/officer/login/code""#));
    assert!(f[0].contains(r#"name="csrf_token" value="csrf-abc""#));
    let code = tag_with(&html, r#"name="code""#);
    assert!(code.contains(r#"inputmode="numeric""#));
    assert!(code.contains(r#"autocomplete="one-time-code""#));
    assert!(!html.contains(r#"role="alert""#));

    let html = page(Some("That code is not right.")).render().unwrap();
    assert_no_session_shell(&html);
    assert!(html.contains(r#"role="alert""#) && html.contains("That code is not right."));
    assert!(tag_with(&html, r#"name="code""#).contains(r#"aria-invalid="true""#));
}

fn mfa(nav: Option<OfficerNav>, required: bool) -> MfaEnrolPage {
    MfaEnrolPage {
        nav,
        csrf_token: "csrf-mfa".into(),
        secret: "JBSWY3DPEHPK3PXPJBSW".into(),
        otpauth_uri: "otpauth://totp/rightsdesk:asha%40example.org?secret=JBSWY3DPEHPK3PXPJBSW&issuer=rightsdesk".into(),
        qr_svg: SVG.into(),
        required,
        error: None,
    }
}

#[test]
fn mfa_page_with_session() {
    let page = mfa(Some(nav(true)), true);
    assert_eq!(page.secret_groups(), "JBSW Y3DP EHPK 3PXP JBSW");
    let html = page.render().unwrap();
    assert_officer_shell(&html, true);
    // The SVG is inline and unescaped, inside a figure with a text alternative.
    assert!(html.contains(SVG));
    let fig = &html[html.find("<figure").unwrap()..html.find("</figure>").unwrap()];
    assert!(fig.contains(SVG));
    assert!(fig.contains(r#"role="img" aria-label="#));
    assert!(fig.contains("<figcaption"));
    assert!(fig.contains("JBSW Y3DP EHPK 3PXP JBSW"));
    let det = &html[html.find("<details").unwrap()..html.find("</details>").unwrap()];
    assert!(det.contains("<summary"));
    assert!(det.contains("otpauth://totp/rightsdesk:asha%40example.org?secret=JBSWY3DPEHPK3PXPJBSW&#38;issuer=rightsdesk"));
    assert!(html.contains("You must set this up before you can continue"));
    let f: Vec<&str> = forms(&html)
        .into_iter()
        .filter(|f| f.contains(r#"action="/officer/mfa""#))
        .collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].contains(r#"method="post""#));
    assert!(f[0].contains(r#"name="csrf_token" value="csrf-mfa""#));
    let code = tag_with(f[0], r#"name="code""#);
    assert!(code.contains(r#"inputmode="numeric""#));
    assert!(code.contains(r#"autocomplete="one-time-code""#));
}

#[test]
fn mfa_page_without_session() {
    let mut page = mfa(None, false);
    page.error = Some("That code is not right.".into());
    let html = page.render().unwrap();
    assert_no_session_shell(&html);
    assert!(html.contains(SVG));
    assert!(!html.contains("You must set this up"));
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("<title>Error: Set up two-step sign-in"));
    assert_eq!(forms(&html).len(), 1);
}

fn queue_row(reference: &str, due_state: &str, assignee: &str) -> QueueRow {
    QueueRow {
        reference: reference.into(),
        link: format!("/officer/requests/{reference}"),
        kind_label: "Access".into(),
        regime_label: "EU, EEA or UK".into(),
        status_label: "In progress".into(),
        received: "3 Mar 2026".into(),
        due: "3 Apr 2026".into(),
        due_note: "2 days late".into(),
        due_state: due_state.into(),
        assignee: assignee.into(),
    }
}

fn queue() -> QueuePage {
    QueuePage {
        nav: nav(false),
        status_counts: vec![
            StatusCount {
                slug: "open".into(),
                label: "Open".into(),
                count: 12,
                link: "/officer/queue?status=open".into(),
            },
            StatusCount {
                slug: "in_progress".into(),
                label: "In progress".into(),
                count: 3,
                link: "/officer/queue?status=in_progress&kind=access".into(),
            },
        ],
        statuses: vec![
            opt("open", "Open", false),
            opt("in_progress", "In progress", true),
        ],
        kinds: vec![opt("access", "Access", false)],
        regimes: vec![opt("eu", "EU, EEA or UK", false), opt("in", "India", false)],
        assignees: vec![
            opt("me", "Me", false),
            opt("unassigned", "Unassigned", false),
            opt("0190-ab", "Ravi Kumar", false),
        ],
        overdue: true,
        q: "RD-7K3M".into(),
        rows: vec![
            queue_row("RD-AAAA-0001", "overdue", "Unassigned"),
            queue_row("RD-AAAA-0002", "due-soon", "Ravi Kumar"),
            queue_row("RD-AAAA-0003", "ok", "Asha Rao"),
            queue_row("RD-AAAA-0004", "closed", "Asha Rao"),
        ],
        next_link: Some("/officer/queue?after=2026-04-03_RD-AAAA-0004&status=in_progress".into()),
        first_link: Some("/officer/queue?status=in_progress".into()),
        export_query: "status=in_progress&overdue=1".into(),
    }
}

/// The `<tr>` of the row whose reference is `reference`.
fn row_of<'a>(html: &'a str, reference: &str) -> &'a str {
    let at = html.find(&format!(">{reference}</a>")).unwrap();
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn queue_page_filters_table_and_paging() {
    let html = queue().render().unwrap();
    assert_officer_shell(&html, false);
    // Counts as links (query strings escaped, still valid URLs).
    assert!(html.contains(r#"href="/officer/queue?status=open""#));
    assert!(html.contains(r#"href="/officer/queue?status=in_progress&#38;kind=access""#));
    assert!(html.contains(">12</span>"));
    // Filter form: GET, every select has "Any", kept values.
    let f = forms(&html);
    let filter = f
        .iter()
        .find(|f| f.contains(r#"action="/officer/queue""#))
        .unwrap();
    assert!(filter.starts_with(r#"<form method="get""#));
    assert!(!filter.contains("csrf_token"));
    for name in ["status", "kind", "regime", "assignee"] {
        assert!(filter.contains(&format!(r#"name="{name}""#)), "{name}");
    }
    assert_eq!(count(filter, r#"<option value="">Any</option>"#), 3);
    assert!(filter.contains(r#"<option value="">Any open one</option>"#));
    assert!(filter.contains(r#"<option value="in_progress" selected>In progress</option>"#));
    assert!(filter.contains(r#"<option value="me">Me</option>"#));
    assert!(filter.contains(r#"<option value="unassigned">Unassigned</option>"#));
    let od = tag_with(filter, r#"name="overdue""#);
    assert!(od.contains(r#"type="checkbox""#) && od.contains(r#"value="1""#));
    assert!(od.contains(" checked"));
    assert!(filter.contains("Reference or exact email</label>"));
    assert!(tag_with(filter, r#"name="q""#).contains(r#"value="RD-7K3M""#));
    assert!(filter.contains("<legend"));
    // Table.
    assert!(html.contains("<caption"));
    assert_eq!(count(&html, r#"<th scope="col">"#), 7);
    assert!(html.contains(
        r#"<a class="reference" href="/officer/requests/RD-AAAA-0001">RD-AAAA-0001</a>"#
    ));
    // Overdue and due-soon are in words, not colour only.
    let overdue = row_of(&html, "RD-AAAA-0001");
    assert!(overdue.contains(">Overdue</span>"), "{overdue}");
    assert!(overdue.contains("2 days late"));
    assert!(overdue.contains("Unassigned"));
    assert!(row_of(&html, "RD-AAAA-0002").contains(">Due soon</span>"));
    for r in ["RD-AAAA-0003", "RD-AAAA-0004"] {
        let row = row_of(&html, r);
        assert!(
            !row.contains("Overdue") && !row.contains("Due soon"),
            "{row}"
        );
    }
    assert_eq!(count(&html, ">Overdue</span>"), 1);
    assert!(html.contains(r#"<th scope="row">"#));
    assert!(!html.contains("No requests match these filters"));
    // Paging and exports.
    assert!(html.contains(r#"href="/officer/queue?after=2026-04-03_RD-AAAA-0004&#38;status=in_progress" rel="next">Next page</a>"#));
    assert!(html.contains(r#"href="/officer/queue?status=in_progress">First page</a>"#));
    assert!(
        html.contains(r#"href="/officer/exports/requests.csv?status=in_progress&#38;overdue=1""#)
    );
    assert!(
        html.contains(r#"href="/officer/exports/requests.json?status=in_progress&#38;overdue=1""#)
    );
}

#[test]
fn queue_page_empty() {
    let mut page = queue();
    page.rows.clear();
    page.next_link = None;
    page.first_link = None;
    page.overdue = false;
    page.export_query = String::new();
    page.statuses[1].selected = false;
    let html = page.render().unwrap();
    assert_officer_shell(&html, false);
    assert!(html.contains("No requests match these filters"));
    assert!(!html.contains("<table"));
    assert!(!html.contains("Next page") && !html.contains("First page"));
    assert!(!tag_with(&html, r#"name="overdue""#).contains("checked"));
    assert!(!html.contains(" selected"));
    assert!(html.contains(r#"href="/officer/exports/requests.csv""#));
}

fn request() -> RequestPage {
    RequestPage {
        nav: nav(false),
        reference: "RD-7K3M-9QXA".into(),
        version: 7,
        action_url: "/officer/requests/RD-7K3M-9QXA/actions".into(),
        kind_label: "Correct your data".into(),
        regime_label: "EU, EEA or UK".into(),
        status_label: "In progress".into(),
        status_explanation: "Someone is working on it.".into(),
        requester_name: "Mira <Shah>".into(),
        requester_email: "mira@example.org".into(),
        account_ref: "CUST-42".into(),
        details: "My address is wrong.\n<script>alert(1)</script>".into(),
        correction: "12 New Street".into(),
        purposes: vec!["Marketing emails".into()],
        content_removal: false,
        received: "3 Mar 2026, 10:02".into(),
        verified: "3 Mar 2026, 10:15".into(),
        due: "3 Apr 2026".into(),
        due_note: "2 days left".into(),
        due_state: "due-soon".into(),
        due_rule: "One calendar month from receipt (GDPR Art. 12(3)).".into(),
        extended: false,
        assignee: "Asha Rao".into(),
        timeline: vec![
            TimelineRow {
                at: "3 Mar 2026, 10:02".into(),
                actor: "Requester".into(),
                label: "Request received".into(),
                message: None,
                internal: false,
            },
            TimelineRow {
                at: "4 Mar 2026, 09:00".into(),
                actor: "Asha Rao".into(),
                label: "Note".into(),
                message: Some("Checked the CRM.".into()),
                internal: true,
            },
        ],
        holds: vec![HoldRow {
            id: "0190-hold".into(),
            order_reference: "HC-2026-17".into(),
            placed_by: "Asha Rao".into(),
            placed_at: "5 Mar 2026".into(),
            expires_on: String::new(),
            covers: "Record crm 42 (profile)".into(),
            may_release: true,
            release_note: String::new(),
        }],
        notice: Some("The request was assigned.".into()),
        error: None,
        read_only: false,
        can_assign: true,
        can_start: true,
        can_ask: true,
        can_extend: true,
        extension_until: "3 Jun 2026".into(),
        can_reject: true,
        can_fulfil: true,
        can_note: true,
        can_hold: true,
        duplicate_of: None,
        duplicates: Vec::new(),
        can_merge: false,
        officers: vec![
            opt("0190-a", "Asha Rao", true),
            opt("0190-b", "Ravi Kumar", false),
        ],
        rejection_reasons: vec![
            opt("manifestly_unfounded", "Manifestly unfounded", false),
            opt("identity_not_confirmed", "Identity not confirmed", false),
        ],
        subject: Some(SubjectSection {
            account_ref: "CUST-42".into(),
            cancelled: String::new(),
            categories: vec![CategorySection {
                name: "profile".into(),
                records: vec![RecordEntry {
                    source: "crm".into(),
                    source_id: "42".into(),
                    state: "active".into(),
                    retention: "erased records".into(),
                    fields: vec![("name".into(), "<b>Mira</b>".into())],
                }],
            }],
            consent_state: vec![ConsentStateRow {
                purpose: "marketing".into(),
                granted: true,
            }],
            consents: vec![ConsentRow {
                purpose: "marketing".into(),
                granted_at: "1 Feb 2026".into(),
                withdrawn_at: String::new(),
                source: "signup".into(),
            }],
            objections: vec![],
        }),
        kind: "rectification".into(),
        tasks: vec![TaskRow {
            source: "crm".into(),
            action: "Correct the records".into(),
            state: "Failed".into(),
            reason: "Account locked".into(),
            finished: "2 March 2026, 10:00 UTC".into(),
        }],
        outcome_held: true,
        close_tasks_url: "/officer/requests/RD-7K3M-9QXA/tasks/close".into(),
        can_close_tasks: true,
        record_choices: vec![opt("rec-1", "profile · crm 42 (active)", false)],
        purpose_choices: vec![opt("marketing", "Marketing", true)],
    }
}

const ACTIONS: [&str; 9] = [
    "assign",
    "start",
    "ask_requester",
    "extend",
    "reject",
    "fulfil",
    "note",
    "hold",
    "release_hold",
];

/// The action forms of a request page, each checked for the common hidden fields.
fn action_forms(html: &str) -> Vec<String> {
    forms(html)
        .into_iter()
        .filter(|f| !f.contains(r#"action="/officer/logout""#))
        .filter(|f| !f.contains("/tasks/close"))
        .map(|f| {
            assert!(
                f.starts_with(
                    r#"<form method="post" action="/officer/requests/RD-7K3M-9QXA/actions""#
                ),
                "{f}"
            );
            assert_eq!(count(f, r#"name="csrf_token" value="csrf-nav""#), 1, "{f}");
            assert_eq!(count(f, r#"name="version" value="7""#), 1, "{f}");
            assert_eq!(count(f, r#"name="action" value=""#), 1, "{f}");
            let v = &f[f.find(r#"name="action" value=""#).unwrap() + 21..];
            v[..v.find('"').unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn request_page_shows_everything_and_all_actions() {
    let html = request().render().unwrap();
    assert_officer_shell(&html, false);
    assert!(html.contains("RD-7K3M-9QXA"));
    // The data held, escaped, and the rectification form's record and correction fields.
    assert!(html.contains("Data held about this person"));
    assert!(html.contains("&#60;b&#62;Mira&#60;/b&#62;"));
    assert!(html.contains(r#"name="record_id" value="rec-1""#));
    assert!(html.contains(r#"name="correction""#));
    assert!(html.contains("Record crm 42 (profile)"));
    assert!(html.contains(r#"name="hold_scope" value="subject""#));
    assert!(html.contains(r#"role="status""#) && html.contains("The request was assigned."));
    assert!(!html.contains(r#"role="alert""#));
    // The requester's own words, escaped.
    assert!(html.contains("Mira &#60;Shah&#62;"));
    assert!(html.contains("My address is wrong.\n&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(html.contains("12 New Street") && html.contains("<li>Marketing emails</li>"));
    assert!(html.contains("CUST-42"));
    // Due date and how it was computed.
    assert!(html.contains("Due by 3 Apr 2026"));
    assert!(html.contains("GDPR Art. 12(3)"));
    assert!(html.contains(">Due soon</span>"));
    // Timeline.
    assert!(html.contains(r#"<ol class="timeline">"#));
    assert_eq!(
        count(&html, "Internal note — not shown to the requester"),
        1
    );
    assert!(html.contains("Checked the CRM."));
    // Holds.
    assert!(html.contains("HC-2026-17") && html.contains("No expiry"));
    assert!(html.contains(r#"name="hold_id" value="0190-hold""#));
    // One form per allowed action, each with csrf, version and action.
    let mut found = action_forms(&html);
    found.sort();
    let mut all = ACTIONS.to_vec();
    all.sort_unstable();
    assert_eq!(found, all);
    assert!(html.contains(r#"<option value="0190-a" selected>Asha Rao</option>"#));
    assert!(html.contains(r#"<option value="manifestly_unfounded">Manifestly unfounded</option>"#));
    assert!(html.contains("3 Jun 2026"));
    assert!(html.contains("Explanation for the requester</label>"));
    assert!(html.contains("Response to the requester</label>"));
    assert!(html.contains("Internal note</label>"));
    for field in [
        "assignee",
        "message",
        "reason",
        "order_reference",
        "expires_on",
    ] {
        assert!(html.contains(&format!(r#"name="{field}""#)), "{field}");
    }
    assert!(tag_with(&html, r#"name="expires_on""#).contains(r#"type="date""#));
    assert!(!html.contains("read-only access"));
    // Each source system's task, a failure with its reason, and the close form.
    assert!(html.contains("Source system tasks"));
    assert!(html.contains("Failed: Account locked"));
    let close: Vec<&str> = forms(&html)
        .into_iter()
        .filter(|f| f.contains(r#"action="/officer/requests/RD-7K3M-9QXA/tasks/close""#))
        .collect();
    assert_eq!(close.len(), 1);
    assert_eq!(count(close[0], r#"name="csrf_token" value="csrf-nav""#), 1);
}

#[test]
fn request_page_shows_only_allowed_actions() {
    let mut page = request();
    page.can_assign = false;
    page.can_start = false;
    page.can_extend = false;
    page.can_reject = false;
    page.can_hold = false;
    page.notice = None;
    page.error = Some("Someone else changed this request. Check it and try again.".into());
    let html = page.render().unwrap();
    assert_officer_shell(&html, false);
    assert_eq!(action_forms(&html), ["ask_requester", "fulfil", "note"]);
    assert!(!html.contains(r#"name="hold_id""#));
    assert!(html.contains("HC-2026-17"));
    assert!(html.contains(r#"role="alert""#) && !html.contains(r#"role="status""#));
    assert!(html.contains("<title>Error: Request RD-7K3M-9QXA"));

    page.can_ask = false;
    page.can_fulfil = false;
    page.can_note = false;
    let html = page.render().unwrap();
    assert!(action_forms(&html).is_empty());
    assert!(html.contains("nothing to do"));
}

#[test]
fn request_page_read_only_has_no_forms() {
    let mut page = request();
    page.read_only = true;
    let html = page.render().unwrap();
    assert_officer_shell(&html, false);
    // Only the sign-out form is left.
    assert_eq!(count(&html, "<form"), 1);
    assert!(action_forms(&html).is_empty());
    assert!(!html.contains(r#"name="version""#));
    assert!(html.contains("You have read-only access"));
    assert!(html.contains("HC-2026-17") && html.contains("Checked the CRM."));
}

fn audit(can_verify: bool) -> AuditPage {
    AuditPage {
        nav: nav(false),
        actor: "asha@example.org".into(),
        action: String::new(),
        target: "RD-7K3M-9QXA".into(),
        from: "2026-03-01".into(),
        to: String::new(),
        rows: vec![AuditRow {
            seq: Some(41),
            pending: false,
            at: "2026-03-04 09:00:00".into(),
            actor: "asha@example.org".into(),
            action: "request.note".into(),
            target: "RD-7K3M-9QXA".into(),
            details: r#"{"version":7}"#.into(),
        }],
        next_link: Some("/officer/audit?before=41".into()),
        can_verify,
        verify_result: None,
        verify_ok: false,
    }
}

#[test]
fn audit_page_lists_events_and_verifies_when_allowed() {
    let html = audit(true).render().unwrap();
    assert_officer_shell(&html, false);
    let filter = forms(&html)
        .into_iter()
        .find(|f| f.contains(r#"action="/officer/audit""#))
        .unwrap();
    assert!(filter.starts_with(r#"<form method="get""#));
    for name in ["actor", "action", "target", "from", "to"] {
        assert!(filter.contains(&format!(r#"name="{name}""#)), "{name}");
    }
    assert!(tag_with(filter, r#"name="from""#).contains(r#"type="date""#));
    assert!(tag_with(filter, r#"name="from""#).contains(r#"value="2026-03-01""#));
    assert!(tag_with(filter, r#"name="to""#).contains(r#"type="date""#));
    assert!(html.contains(r#"<th scope="row" class="num">41</th>"#));
    assert!(html.contains("<code>{&#34;version&#34;:7}</code>"));
    assert!(html.contains(r#"href="/officer/audit?before=41" rel="next">Next page</a>"#));
    let verify = forms(&html)
        .into_iter()
        .find(|f| f.contains(r#"action="/officer/audit/verify""#))
        .expect("verify form");
    assert!(verify.contains(r#"method="post""#));
    assert!(verify.contains(r#"name="csrf_token" value="csrf-nav""#));
    assert!(verify.contains("Verify the chain</button>"));
    assert!(!html.contains(r#"role="status""#) && !html.contains(r#"role="alert""#));

    let html = audit(false).render().unwrap();
    assert_officer_shell(&html, false);
    assert!(!html.contains("/officer/audit/verify"));
}

#[test]
fn audit_page_states_verify_result_in_words() {
    let mut page = audit(true);
    page.verify_result = Some("Checked 41 events.".into());
    page.verify_ok = true;
    let html = page.render().unwrap();
    assert!(html.contains(r#"role="status""#));
    assert!(html.contains("Verified: the audit chain is intact. Checked 41 events."));
    assert!(!html.contains(r#"role="alert""#));

    page.verify_result = Some("Event 17 does not match the hash of event 16.".into());
    page.verify_ok = false;
    page.rows.clear();
    page.next_link = None;
    let html = page.render().unwrap();
    assert_officer_shell(&html, false);
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains("Verification failed: the audit chain is broken"));
    assert!(html.contains("Event 17 does not match"));
    assert!(html.contains("No audit events match these filters"));
    assert!(!html.contains("Next page"));
}

fn admin() -> AdminOfficersPage {
    AdminOfficersPage {
        nav: nav(true),
        officers: vec![
            OfficerRow {
                id: "0190-a".into(),
                email: "asha@example.org".into(),
                name: "Asha Rao".into(),
                role: "admin".into(),
                regions: "in, eu".into(),
                mfa: true,
                disabled: false,
            },
            OfficerRow {
                id: "0190-b".into(),
                email: "ravi@example.org".into(),
                name: "Ravi Kumar".into(),
                role: "Officer".into(),
                regions: String::new(),
                mfa: false,
                disabled: true,
            },
        ],
        roles: vec![
            opt("admin", "Admin", false),
            opt("officer", "Officer", true),
            opt("auditor", "Auditor", false),
        ],
        regions: vec![
            opt("in", "India", false),
            opt("eu", "EU, EEA or UK", true),
            opt("us-ca", "California", false),
        ],
        errors: vec![],
        notice: Some("Officer added.".into()),
        email: "new@example.org".into(),
        name: "New <Person>".into(),
    }
}

fn forms_to<'a>(html: &'a str, action: &str) -> Vec<&'a str> {
    forms(html)
        .into_iter()
        .filter(|f| f.contains(&format!(r#"action="{action}""#)))
        .collect()
}

#[test]
fn admin_officers_page() {
    let page = admin();
    assert_eq!(page.role_label(&page.officers[0]), "Admin");
    assert_eq!(
        page.regions_label(&page.officers[0]),
        "India, EU, EEA or UK"
    );
    assert_eq!(page.regions_label(&page.officers[1]), "None");
    let html = page.render().unwrap();
    assert_officer_shell(&html, true);
    assert!(html.contains(r#"role="status""#) && html.contains("Officer added."));
    assert!(html.contains(r#"<th scope="row">asha@example.org</th>"#));
    assert!(html.contains("<td>On</td>") && html.contains("<strong>Off</strong>"));
    assert!(html.contains("<td>Active</td>") && html.contains("<strong>Disabled</strong>"));

    // Asha: update (admin; in + eu), disable, reset MFA.
    let a = forms_to(&html, "/officer/admin/officers/0190-a");
    let actions: Vec<&str> = a
        .iter()
        .map(|f| {
            assert!(f.contains(r#"method="post""#));
            assert!(f.contains(r#"name="csrf_token" value="csrf-nav""#));
            let v = &f[f.find(r#"name="action" value=""#).unwrap() + 21..];
            &v[..v.find('"').unwrap()]
        })
        .collect();
    assert_eq!(actions, ["update", "disable", "reset_mfa"]);
    assert!(a[0].contains(r#"<option value="admin" selected>Admin</option>"#));
    assert_eq!(count(a[0], " selected"), 1);
    assert_eq!(count(a[0], r#"name="regions""#), 3);
    assert!(tag_with(a[0], r#"id="officer-0190-a-regions-in""#).contains("checked"));
    assert!(tag_with(a[0], r#"id="officer-0190-a-regions-eu""#).contains("checked"));
    assert!(!tag_with(a[0], r#"id="officer-0190-a-regions-us-ca""#).contains("checked"));
    assert!(a[0].contains("<legend"));

    // Ravi: role given as a label, no regions, disabled, no MFA.
    let b = forms_to(&html, "/officer/admin/officers/0190-b");
    assert_eq!(b.len(), 2);
    assert!(b[0].contains(r#"<option value="officer" selected>Officer</option>"#));
    assert_eq!(count(b[0], "checked"), 0);
    assert!(b[1].contains(r#"name="action" value="enable""#));

    // Create form keeps its values.
    let c = forms_to(&html, "/officer/admin/officers");
    assert_eq!(c.len(), 1);
    let c = c[0];
    assert!(c.contains(r#"name="csrf_token" value="csrf-nav""#));
    assert!(tag_with(c, r#"id="email""#).contains(r#"value="new@example.org""#));
    assert!(tag_with(c, r#"id="name""#).contains(r#"value="New &#60;Person&#62;""#));
    assert!(c.contains(r#"<option value="officer" selected>Officer</option>"#));
    assert!(tag_with(c, r#"id="regions-eu""#).contains("checked"));
    assert!(!tag_with(c, r#"id="regions""#).contains("checked"));
    let pw = tag_with(c, r#"name="password""#);
    assert!(pw.contains(r#"type="password""#) && pw.contains(r#"autocomplete="new-password""#));
    assert!(c.contains("At least 12 characters"));
    assert!(pw.contains(r#"aria-describedby="password-hint""#));
    assert!(!html.contains(r#"role="alert""#) && !html.contains("aria-invalid"));
}

#[test]
fn admin_officers_page_errors_and_non_admin_nav() {
    let mut page = admin();
    page.notice = None;
    page.errors = vec![
        FieldError {
            field: "email".into(),
            message: "Enter an email address like name@example.com".into(),
        },
        FieldError {
            field: "password".into(),
            message: "Use at least 12 characters".into(),
        },
    ];
    assert_eq!(
        page.error_for("password"),
        Some("Use at least 12 characters")
    );
    assert_eq!(page.error_for("name"), None);
    let html = page.render().unwrap();
    assert_officer_shell(&html, true);
    assert!(html.contains("<title>Error: Officers"));
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains(r##"<a href="#email">Enter an email address"##));
    assert!(html.contains(r##"<a href="#password">Use at least 12 characters</a>"##));
    assert!(html.contains(r#"aria-describedby="password-hint password-error""#));
    assert_eq!(count(&html, r#"aria-invalid="true""#), 2);
    assert!(html.find(r#"role="alert""#).unwrap() < html.find("<h1").unwrap());

    // The Officers link is for admins only (any page).
    let mut q = queue();
    q.nav = nav(true);
    assert_officer_shell(&q.render().unwrap(), true);
}
