//! The twelve-month trend chart on the report page, drawn on the server as
//! inline SVG so the page needs no JavaScript.
//!
//! The page's Content-Security-Policy forbids inline styles, so the chart
//! uses presentation attributes (which the policy does not cover) for its
//! default look, and a class on every part so the stylesheet can restyle it.

use std::fmt::Write as _;

use crate::domain::report::TrendPoint;

/// The drawing's coordinate space; the page scales it to fit.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
/// The plot area, inside room for the axis labels on every side.
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 64.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = HEIGHT - 48.0;

/// Colours chosen for at least 3:1 contrast against a white page.
const BAR_COLOUR: &str = "#4a6fa5";
const LINE_COLOUR: &str = "#b3541e";
const TEXT_COLOUR: &str = "#1f2933";
const AXIS_COLOUR: &str = "#52606d";

const TITLE: &str = "Requests received and answered on time";

/// The twelve-month chart: bars for the requests received each month, a line
/// for the on-time rate (0–100 %), as an inline SVG element to place in an
/// HTML page.
///
/// The element carries fixed ids (`trend-title`, `trend-desc`), so a page
/// shows one such chart. Points are drawn in the order given.
pub fn trend_svg(points: &[TrendPoint]) -> String {
    let mut svg = String::new();
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend-chart\" \
         viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"trend-title trend-desc\" \
         font-family=\"sans-serif\">",
        num(WIDTH),
        num(HEIGHT)
    ));
    svg.push_str(&format!(
        "<title id=\"trend-title\">{}</title>",
        escape(TITLE)
    ));
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        svg.push_str("<desc id=\"trend-desc\">No requests to show for this period.</desc>");
        svg.push_str(&text(
            WIDTH / 2.0,
            HEIGHT / 2.0,
            "middle",
            "trend-label",
            "No data",
        ));
        svg.push_str("</svg>");
        return svg;
    };
    let period = if first.month == last.month {
        format!("in {}", first.month.label())
    } else {
        format!("from {} to {}", first.month.label(), last.month.label())
    };
    svg.push_str(&format!(
        "<desc id=\"trend-desc\">{}</desc>",
        escape(&format!(
            "Requests received per month {period}, and the share answered on time."
        ))
    ));

    let top = nice_max(points.iter().map(|p| p.received).max().unwrap_or(0));
    let slot = (RIGHT - LEFT) / points.len() as f64;
    axes(&mut svg, top);

    // Bars first so the rate line is drawn over them.
    for (i, point) in points.iter().enumerate() {
        let height = (BOTTOM - TOP) * point.received as f64 / top as f64;
        let _ = write!(
            svg,
            "<rect class=\"trend-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAR_COLOUR}\">\
             <title>{}</title></rect>",
            num(LEFT + slot * (i as f64 + 0.2)),
            num(BOTTOM - height),
            num(slot * 0.6),
            num(height),
            escape(&bar_title(point)),
        );
    }

    // A month without answers has no rate, so it ends one line segment and
    // the next answered month starts another, instead of a line implying a
    // rate for a month that had none.
    let centre = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let rated = points.iter().map(|p| p.on_time_rate().map(rate_y));
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for (i, y) in rated.chain(std::iter::once(None)).enumerate() {
        match y {
            Some(y) => segment.push((centre(i), y)),
            None => polyline(&mut svg, &std::mem::take(&mut segment)),
        }
    }
    for (i, point) in points.iter().enumerate() {
        if let Some(rate) = point.on_time_rate() {
            let _ = write!(
                svg,
                "<circle class=\"trend-point\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{LINE_COLOUR}\"/>",
                num(centre(i)),
                num(rate_y(rate)),
            );
        }
    }

    // Month labels under the bars; the year is shown where it changes.
    let mut previous_year = None;
    for (i, point) in points.iter().enumerate() {
        let name = point.month.month().to_string();
        let short = name.get(..3).unwrap_or(&name);
        let year = point.month.year();
        let label = if previous_year == Some(year) {
            short.to_owned()
        } else {
            format!("{short} {:02}", year.rem_euclid(100))
        };
        previous_year = Some(year);
        svg.push_str(&text(
            centre(i),
            BOTTOM + 18.0,
            "middle",
            "trend-label",
            &label,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The tooltip for a bar, with the exact figures.
fn bar_title(point: &TrendPoint) -> String {
    let rate = point.on_time_rate().map_or_else(
        || "no answers".to_owned(),
        |rate| format!("{}% on time", num(rate * 100.0)),
    );
    format!(
        "{}: {} received, {rate}",
        point.month.label(),
        point.received
    )
}

/// The axes: volume on the left (0 to `top`), on-time rate on the right.
fn axes(svg: &mut String, top: u64) {
    for (x1, x2, y1, y2) in [
        (LEFT, RIGHT, BOTTOM, BOTTOM),
        (LEFT, LEFT, TOP, BOTTOM),
        (RIGHT, RIGHT, TOP, BOTTOM),
    ] {
        let _ = write!(
            svg,
            "<line class=\"trend-axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" \
             stroke=\"{AXIS_COLOUR}\" stroke-width=\"1\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
        );
    }
    for tick in ticks(top) {
        let y = BOTTOM - (BOTTOM - TOP) * tick as f64 / top as f64;
        svg.push_str(&text(
            LEFT - 8.0,
            y + 4.0,
            "end",
            "trend-label",
            &tick.to_string(),
        ));
    }
    for percent in [0_u32, 50, 100] {
        let y = rate_y(f64::from(percent) / 100.0);
        svg.push_str(&text(
            RIGHT + 8.0,
            y + 4.0,
            "start",
            "trend-label",
            &format!("{percent}%"),
        ));
    }
}

/// One run of consecutive rated months; a lone month is left to its point.
fn polyline(svg: &mut String, segment: &[(f64, f64)]) {
    if segment.len() < 2 {
        return;
    }
    let points: Vec<String> = segment
        .iter()
        .map(|&(x, y)| format!("{},{}", num(x), num(y)))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"trend-line\" points=\"{}\" fill=\"none\" stroke=\"{LINE_COLOUR}\" stroke-width=\"2\"/>",
        points.join(" "),
    );
}

/// A text label in the chart's text colour.
fn text(x: f64, y: f64, anchor: &str, class: &str, content: &str) -> String {
    format!(
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"{TEXT_COLOUR}\">{}</text>",
        num(x),
        num(y),
        escape(content),
    )
}

/// The height for an on-time rate; rates are held to 0–100 % so a data
/// error cannot draw outside the plot.
fn rate_y(rate: f64) -> f64 {
    BOTTOM - (BOTTOM - TOP) * rate.clamp(0.0, 1.0)
}

/// The smallest 1, 2 or 5 × 10ⁿ at or above `largest`, so the volume axis
/// ends on a round number; at least 1, so an empty year still has a scale.
fn nice_max(largest: u64) -> u64 {
    let mut power: u64 = 1;
    loop {
        for step in [1, 2, 5] {
            match power.checked_mul(step) {
                Some(candidate) if candidate >= largest => return candidate,
                Some(_) => {}
                None => return largest,
            }
        }
        match power.checked_mul(10) {
            Some(next) => power = next,
            None => return largest,
        }
    }
}

/// Round tick values from 0 to `top` (a [`nice_max`]): halves of 1 and 2
/// × 10ⁿ, fifths of 5 × 10ⁿ; just 0 and 1 for a top of 1.
fn ticks(top: u64) -> Vec<u64> {
    if top <= 1 {
        return vec![0, 1];
    }
    let leading = top / 10_u64.pow(top.ilog10());
    let step = if leading == 5 { top / 5 } else { top / 2 };
    (0..=top / step).map(|i| i * step).collect()
}

/// A coordinate or figure with at most one decimal, and no "-0".
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 {
        "0".to_owned()
    } else if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// Text made safe for SVG element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::ReportMonth;
    use quick_xml::events::Event;
    use quick_xml::Reader;

    /// Twelve months from April 2025, March 2026 last.
    fn year(received: [u64; 12], answered: [u64; 12]) -> Vec<TrendPoint> {
        let months = ReportMonth::parse("2026-03").unwrap().last_twelve();
        months
            .into_iter()
            .enumerate()
            .map(|(i, month)| TrendPoint {
                month,
                received: received[i],
                answered: answered[i],
                on_time: answered[i] * 9 / 10,
            })
            .collect()
    }

    /// Parses the whole document, failing on any unbalanced or malformed
    /// markup, and returns the start-tag names in order.
    fn elements(svg: &str) -> Vec<String> {
        let mut reader = Reader::from_str(svg);
        let mut names = Vec::new();
        let mut depth = 0_i32;
        loop {
            match reader.read_event().expect("well-formed SVG") {
                Event::Start(tag) => {
                    depth += 1;
                    names.push(tag.name().as_ref().to_owned());
                }
                Event::Empty(tag) => {
                    names.push(tag.name().as_ref().to_owned());
                }
                Event::End(_) => depth -= 1,
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "unbalanced tags");
        names
    }

    fn count(names: &[String], name: &str) -> usize {
        names.iter().filter(|n| *n == name).count()
    }

    #[test]
    fn draws_a_bar_and_a_label_per_month() {
        let svg = trend_svg(&year([120; 12], [100; 12]));
        let names = elements(&svg);
        assert_eq!(names[0], "svg");
        assert_eq!(count(&names, "rect"), 12);
        assert_eq!(count(&names, "circle"), 12);
        assert_eq!(count(&names, "polyline"), 1);
        assert_eq!(svg.matches("class=\"trend-bar\"").count(), 12);
        assert!(svg.contains("viewBox=\"0 0 720 320\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"trend-title trend-desc\""));
        assert!(svg.contains("<title id=\"trend-title\">"));
        assert!(svg.contains(
            "<desc id=\"trend-desc\">Requests received per month from April 2025 \
             to March 2026, and the share answered on time.</desc>"
        ));
        assert!(svg.contains("<title>March 2026: 120 received, 90% on time</title>"));
        assert!(svg.contains(">Apr 25</text>"));
        assert!(svg.contains(">May</text>"));
        assert!(svg.contains(">Jan 26</text>"));
        assert!(svg.contains(">Feb</text>"));
        for label in [">0%<", ">50%<", ">100%<"] {
            assert!(svg.contains(label), "{label}");
        }
        for class in ["trend-line", "trend-point", "trend-axis", "trend-label"] {
            assert!(svg.contains(&format!("class=\"{class}\"")), "{class}");
        }
    }

    #[test]
    fn uses_no_inline_style_or_script() {
        let svg = trend_svg(&year([5; 12], [0; 12]));
        assert!(!svg.contains("style"));
        assert!(!svg.contains("<script"));
        assert!(!trend_svg(&[]).contains("style"));
    }

    #[test]
    fn months_without_answers_break_the_line() {
        let mut answered = [10; 12];
        answered[4] = 0;
        answered[8] = 0;
        answered[10] = 0;
        let svg = trend_svg(&year([10; 12], answered));
        let names = elements(&svg);
        // Runs: months 0–3, 5–7, then 9 alone (a point, no line), then 11 alone.
        assert_eq!(count(&names, "polyline"), 2);
        assert_eq!(count(&names, "circle"), 9);
        assert_eq!(count(&names, "rect"), 12);
        assert!(svg.contains("<title>August 2025: 10 received, no answers</title>"));
    }

    #[test]
    fn volume_axis_ends_on_a_round_number() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(120), 200);
        assert_eq!(nice_max(200), 200);
        assert_eq!(nice_max(201), 500);
        assert_eq!(nice_max(501), 1000);
        assert_eq!(nice_max(u64::MAX), u64::MAX);
        assert_eq!(ticks(1), [0, 1]);
        assert_eq!(ticks(2), [0, 1, 2]);
        assert_eq!(ticks(5), [0, 1, 2, 3, 4, 5]);
        assert_eq!(ticks(10), [0, 5, 10]);
        assert_eq!(ticks(200), [0, 100, 200]);
        assert_eq!(ticks(u64::MAX).len(), 3);
        let svg = trend_svg(&year([120; 12], [1; 12]));
        assert!(svg.contains(">200</text>"));
        assert!(svg.contains(">100</text>"));
    }

    #[test]
    fn an_empty_year_still_draws() {
        let svg = trend_svg(&year([0; 12], [0; 12]));
        let names = elements(&svg);
        assert_eq!(count(&names, "rect"), 12);
        assert_eq!(count(&names, "polyline"), 0);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.contains("height=\"0\""));
    }

    #[test]
    fn no_points_says_no_data() {
        let svg = trend_svg(&[]);
        let names = elements(&svg);
        assert_eq!(names, ["svg", "title", "desc", "text"]);
        assert!(svg.contains(">No data</text>"));
        assert!(svg.contains("aria-labelledby=\"trend-title trend-desc\""));
    }

    #[test]
    fn a_single_month_is_described_alone() {
        let svg = trend_svg(&year([3; 12], [2; 12])[11..]);
        assert!(svg.contains("per month in March 2026,"));
        assert_eq!(count(&elements(&svg), "rect"), 1);
    }

    #[test]
    fn numbers_have_at_most_one_decimal() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.01), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(66.666), "66.7");
        assert_eq!(num(-3.25), "-3.3");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("a & <b> \"c\" 'd'"),
            "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39;"
        );
    }
}
