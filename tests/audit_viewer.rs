//! The officer audit viewer and a target's timeline over a log that is partly sequenced and
//! partly pending: pending events first and marked, paging across both without a gap or a
//! repeat, filters kept.

mod common;

use common::{backends, TestApp};
use rightsdesk::app::audit::sequence_pending;
use rightsdesk::store::{self, audit};

fn append(app: &TestApp, n: usize, action: &str) {
    let details: Vec<String> = (0..n).map(|i| format!("{{\"n\":{i}}}")).collect();
    let at = rightsdesk::app::clock::now();
    let events: Vec<audit::NewAuditEvent<'_>> = details
        .iter()
        .map(|details| audit::NewAuditEvent {
            at,
            actor: "system",
            action,
            target: "retention:viewer",
            details,
        })
        .collect();
    store::write(&mut app.conn(), |conn| audit::append_many(conn, &events)).unwrap();
}

/// The "No." cells of a page: `Some(n)` for a sequenced event, `None` for a pending one.
fn numbers(html: &str) -> Vec<Option<i64>> {
    html.split("<th scope=\"row\" class=\"num\">")
        .skip(1)
        .map(|cell| {
            let cell = &cell[..cell.find("</th>").unwrap()];
            if cell.contains("Pending") {
                None
            } else {
                Some(cell.trim().parse().unwrap())
            }
        })
        .collect()
}

fn next_link(html: &str) -> Option<String> {
    let start = html
        .find("rel=\"next\"")
        .and_then(|end| html[..end].rfind("href=\""))?
        + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn the_viewer_shows_pending_events_first_and_pages_across_both() {
    for backend in backends() {
        let app = TestApp::spawn(&backend).await;
        let auditor = app.signed_in("audrey@example.org", "auditor", &[]).await;
        append(&app, 150, "test.viewer");
        let run = sequence_pending(&app.ctx, 5_000, std::time::Duration::ZERO, || false).unwrap();
        assert!(run.sequenced >= 150, "[{backend}]");
        append(&app, 120, "test.viewer");

        let mut path = "/officer/audit?action=test.viewer".to_string();
        let mut pages = Vec::new();
        loop {
            let response = auditor.get(&path).await;
            assert_eq!(response.status(), 200, "[{backend}] {path}");
            let html = response.text().await.unwrap();
            pages.push(numbers(&html));
            match next_link(&html) {
                Some(next) => {
                    assert!(
                        next.contains("action=test%2Eviewer"),
                        "[{backend}] filters kept: {next}"
                    );
                    path = next;
                }
                None => break,
            }
        }
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 70], "[{backend}]");
        let all: Vec<Option<i64>> = pages.concat();
        assert!(
            all[..120].iter().all(Option::is_none),
            "[{backend}] pending first"
        );
        let sequenced: Vec<i64> = all[120..].iter().map(|n| n.unwrap()).collect();
        let mut expected = sequenced.clone();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        expected.dedup();
        assert_eq!(sequenced, expected, "[{backend}] newest first, each once");
        assert_eq!(sequenced.len(), 150, "[{backend}]");

        // The target's timeline: the sequenced in order, then the pending as stored.
        let timeline = audit::list_for_target(&mut app.conn(), "retention:viewer").unwrap();
        assert_eq!(timeline.len(), 270, "[{backend}]");
        let numbered: Vec<i64> = timeline.iter().filter_map(|e| e.seq).collect();
        assert_eq!(numbered.len(), 150);
        assert!(numbered.windows(2).all(|w| w[0] + 1 == w[1]), "[{backend}]");
        assert!(timeline[150..].iter().all(|e| e.seq.is_none()));
        assert!(timeline[150..]
            .windows(2)
            .all(|w| w[0].position < w[1].position));
        app.assert_no_server_errors();
    }
}
