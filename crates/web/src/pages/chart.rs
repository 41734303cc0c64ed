//! Charts over time as inline SVG, drawn on the server: a line or bar chart of labelled points
//! with an optional reference line (an indicator's target, a completion goal). No script, no
//! library, nothing loaded from elsewhere. The chart is an image with a `<title>` and a
//! `<desc>` that says every point in words, so a screen reader gets the numbers; each point
//! also has its own `<title>` (a tooltip).
//!
//! Every SVG element is written with its end tag (`<line …></line>`): inside HTML, a foreign
//! element's start tag without one leaves the element open, and the elements after it would
//! become its children and not be drawn.

use maud::{Markup, html};

/// One point: its label on the horizontal axis ("2025", "Quý II/2025") and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub value: f64,
}

/// How points are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Bar,
}

/// A horizontal line to compare the points with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub value: f64,
    /// "Mục tiêu ≤ 40"
    pub label: String,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart<'a> {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub kind: Kind,
    pub points: &'a [Point],
    pub reference: Option<Reference>,
    /// Written after values in the description ("%", "bậc").
    pub unit: &'a str,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A number for SVG coordinates: one decimal, a dot.
fn coordinate(value: f64) -> String {
    format!("{value:.1}")
}

/// A number for people: the Vietnamese way.
fn shown(value: f64) -> String {
    dongbo_domain::indicator::number(value)
}

/// A round step for about four ticks over `span`: 1, 2 or 5 times a power of ten.
fn tick_step(span: f64) -> f64 {
    let rough = (span / 4.0).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

/// The vertical axis: from zero (or below, for negative values) to the first round tick at or
/// over the largest value or reference, and the step between ticks.
fn bounds(chart: &Chart<'_>) -> (f64, f64, f64) {
    let values = chart
        .points
        .iter()
        .map(|p| p.value)
        .chain(chart.reference.as_ref().map(|r| r.value))
        .filter(|v| v.is_finite());
    let (low, high) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let high = if high <= low { low + 1.0 } else { high };
    let step = tick_step(high - low);
    let low = (low / step).floor() * step;
    let high = (high / step).ceil() * step;
    // A value on the top tick would touch the frame: one more step of room.
    (
        low,
        high + if chart.points.iter().any(|p| p.value >= high) {
            step
        } else {
            0.0
        },
        step,
    )
}

/// The chart as an `<svg>` element.
pub fn svg(chart: &Chart<'_>) -> Markup {
    let (low, high, step_y) = bounds(chart);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y = |value: f64| TOP + plot_height * (1.0 - (value - low) / (high - low));
    let count = chart.points.len().max(1) as f64;
    let step = plot_width / count;
    let x = |index: usize| LEFT + step * (index as f64 + 0.5);
    let ticks: Vec<f64> = (0..)
        .map(|i| low + step_y * f64::from(i))
        .take_while(|t| *t <= high + step_y / 2.0)
        .take(12)
        .collect();
    let title_id = format!("{}-title", chart.id);
    let desc_id = format!("{}-desc", chart.id);
    let description = description(chart);
    let line: String = chart
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{},{}", coordinate(x(i)), coordinate(y(p.value))))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        svg.chart id=(chart.id) xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width=(WIDTH) height=(HEIGHT)
            aria-labelledby={ (title_id) " " (desc_id) } {
            title id=(title_id) { (chart.title) }
            desc id=(desc_id) { (description) }
            g.axis {
                @for tick in &ticks {
                    line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT))
                        y1=(coordinate(y(*tick))) y2=(coordinate(y(*tick))) stroke="#ddd" {}
                    text x=(coordinate(LEFT - 6.0)) y=(coordinate(y(*tick) + 4.0)) text-anchor="end" font-size="11" {
                        (shown(*tick))
                    }
                }
                line x1=(coordinate(LEFT)) x2=(coordinate(LEFT)) y1=(coordinate(TOP))
                    y2=(coordinate(HEIGHT - BOTTOM)) stroke="#555" {}
                line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT)) y1=(coordinate(HEIGHT - BOTTOM))
                    y2=(coordinate(HEIGHT - BOTTOM)) stroke="#555" {}
                @for (i, point) in chart.points.iter().enumerate() {
                    text x=(coordinate(x(i))) y=(coordinate(HEIGHT - BOTTOM + 16.0)) text-anchor="middle" font-size="11" {
                        (point.label)
                    }
                }
            }
            @if let Some(reference) = &chart.reference {
                g.reference {
                    line x1=(coordinate(LEFT)) x2=(coordinate(WIDTH - RIGHT))
                        y1=(coordinate(y(reference.value))) y2=(coordinate(y(reference.value)))
                        stroke="#b00" stroke-dasharray="6 4" stroke-width="1.5" {}
                    text x=(coordinate(WIDTH - RIGHT)) y=(coordinate(y(reference.value) - 4.0))
                        text-anchor="end" font-size="11" fill="#b00" { (reference.label) }
                }
            }
            g.series {
                @match chart.kind {
                    Kind::Line => {
                        @if chart.points.len() > 1 {
                            polyline points=(line) fill="none" stroke="#1a5fb4" stroke-width="2" {}
                        }
                        @for (i, point) in chart.points.iter().enumerate() {
                            circle cx=(coordinate(x(i))) cy=(coordinate(y(point.value))) r="4" fill="#1a5fb4" {
                                title { (point.label) ": " (shown(point.value)) " " (chart.unit) }
                            }
                        }
                    }
                    Kind::Bar => {
                        @for (i, point) in chart.points.iter().enumerate() {
                            @let top = y(point.value.max(low));
                            @let base = y(low.max(0.0_f64.min(high)));
                            rect x=(coordinate(x(i) - step * 0.3)) y=(coordinate(top.min(base)))
                                width=(coordinate(step * 0.6)) height=(coordinate((base - top).abs())) fill="#1a5fb4" {
                                title { (point.label) ": " (shown(point.value)) " " (chart.unit) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Every point in words: "2024: 46 bậc; 2025: 43 bậc. Mục tiêu ≤ 40: 40 bậc."
fn description(chart: &Chart<'_>) -> String {
    let unit = if chart.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", chart.unit)
    };
    let points = chart
        .points
        .iter()
        .map(|p| format!("{}: {}{unit}", p.label, shown(p.value)))
        .collect::<Vec<_>>()
        .join("; ");
    let reference = chart
        .reference
        .as_ref()
        .map(|r| format!(" {}: {}{unit}.", r.label, shown(r.value)))
        .unwrap_or_default();
    format!("{points}.{reference}")
}

/// An empty chart's place: says there is nothing to draw yet.
pub fn empty(message: &str) -> Markup {
    html! { p.muted.chart-empty { (message) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points() -> Vec<Point> {
        vec![
            Point {
                label: "2024".into(),
                value: 46.0,
            },
            Point {
                label: "2025".into(),
                value: 43.5,
            },
        ]
    }

    #[test]
    fn a_line_chart_has_a_point_per_value_a_reference_line_and_says_its_numbers() {
        let points = points();
        let svg = svg(&Chart {
            id: "c1",
            title: "Chỉ số Quyền lực mềm",
            kind: Kind::Line,
            points: &points,
            reference: Some(Reference {
                value: 40.0,
                label: "Mục tiêu ≤ 40".into(),
            }),
            unit: "bậc",
        })
        .into_string();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="c1-title c1-desc""#));
        assert!(svg.contains("<title id=\"c1-title\">Chỉ số Quyền lực mềm</title>"));
        assert!(svg.contains("2024: 46 bậc; 2025: 43,5 bậc. Mục tiêu ≤ 40: 40 bậc."));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("stroke-dasharray"));
        assert!(!svg.contains("<script"));
        // Each element closed, or an HTML parser nests the next ones inside it.
        for element in ["line", "polyline", "circle", "text", "g"] {
            assert_eq!(
                svg.matches(&format!("<{element} ")).count()
                    + svg.matches(&format!("<{element}>")).count(),
                svg.matches(&format!("</{element}>")).count(),
                "{element}"
            );
        }
        assert!(!svg.contains("http://") || svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    }

    #[test]
    fn a_higher_value_is_drawn_higher() {
        let points = points();
        let svg = svg(&Chart {
            id: "c",
            title: "t",
            kind: Kind::Line,
            points: &points,
            reference: None,
            unit: "",
        })
        .into_string();
        let cy: Vec<f64> = svg
            .match_indices("cy=\"")
            .map(|(i, m)| {
                let rest = &svg[i + m.len()..];
                rest[..rest.find('"').unwrap()].parse().unwrap()
            })
            .collect();
        // 46 above 43.5: a smaller y on screen.
        assert!(cy[0] < cy[1], "{cy:?}");
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(53.9), 20.0);
        assert_eq!(tick_step(4.0), 1.0);
        assert_eq!(tick_step(0.7), 0.2);
        let points = points();
        let chart = Chart {
            id: "t",
            title: "t",
            kind: Kind::Line,
            points: &points,
            reference: Some(Reference {
                value: 40.0,
                label: "40".into(),
            }),
            unit: "",
        };
        assert_eq!(bounds(&chart), (0.0, 60.0, 20.0));
    }

    #[test]
    fn a_bar_chart_draws_a_bar_per_point() {
        let points = points();
        let svg = svg(&Chart {
            id: "b",
            title: "t",
            kind: Kind::Bar,
            points: &points,
            reference: None,
            unit: "%",
        })
        .into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!svg.contains("<polyline"));
    }

    #[test]
    fn text_in_labels_is_escaped() {
        let points = vec![Point {
            label: "<script>".into(),
            value: 1.0,
        }];
        let svg = svg(&Chart {
            id: "x",
            title: "<b>",
            kind: Kind::Line,
            points: &points,
            reference: None,
            unit: "",
        })
        .into_string();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
