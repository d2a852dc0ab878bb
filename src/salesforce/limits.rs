//! The `Sforce-Limit-Info` response header: daily API usage, org-wide and per connected app.

use serde::Serialize;

/// API calls used against the org's daily allowance, from `api-usage=used/limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiUsage {
    /// Calls made in the last 24 hours, org-wide.
    pub used: u64,
    /// The org's daily allowance.
    pub limit: u64,
    /// This connected app's share, when the org sets a per-app limit.
    pub per_app: Option<PerAppUsage>,
}

impl ApiUsage {
    /// Calls left today (zero once the allowance is used up or exceeded).
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// One connected app's usage, from `per-app-api-usage=used/limit(appName=name)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PerAppUsage {
    /// Calls this app made.
    pub used: u64,
    /// The app's allowance.
    pub limit: u64,
    /// The connected app's name as Salesforce reports it.
    pub app: String,
}

/// Parses a `Sforce-Limit-Info` value such as `api-usage=25/5000; per-app-api-usage=17/250(appName=x)`.
///
/// Tolerates any spacing, order, letter case, and extra segments (`api-bursts=1/750`); returns
/// `None` when there is no readable `api-usage` segment.
pub fn parse_limit_info(header: &str) -> Option<ApiUsage> {
    let mut usage = None;
    let mut per_app = None;
    for segment in split_segments(header) {
        let Some((key, value)) = segment.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        match key.as_str() {
            "api-usage" if usage.is_none() => usage = parse_ratio(value),
            "per-app-api-usage" if per_app.is_none() => per_app = parse_per_app(value),
            _ => {}
        }
    }
    let (used, limit) = usage?;
    Some(ApiUsage {
        used,
        limit,
        per_app,
    })
}

/// Splits on `;` and `,` (proxies may join repeated headers with commas), but not inside
/// parentheses, where an app name may contain either.
fn split_segments(header: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in header.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' | ',' if depth == 0 => {
                segments.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&header[start..]);
    segments
}

/// `used/limit`, with optional spaces.
fn parse_ratio(value: &str) -> Option<(u64, u64)> {
    let (used, limit) = value.split_once('/')?;
    Some((used.trim().parse().ok()?, limit.trim().parse().ok()?))
}

/// `used/limit(appName=name)`.
fn parse_per_app(value: &str) -> Option<PerAppUsage> {
    let (ratio, rest) = value.split_once('(')?;
    let (used, limit) = parse_ratio(ratio)?;
    let inner = rest.trim_end().strip_suffix(')')?;
    let (key, app) = inner.split_once('=')?;
    if !key.trim().eq_ignore_ascii_case("appName") {
        return None;
    }
    let app = app.trim();
    (!app.is_empty()).then(|| PerAppUsage {
        used,
        limit,
        app: app.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usage(used: u64, limit: u64) -> ApiUsage {
        ApiUsage {
            used,
            limit,
            per_app: None,
        }
    }

    #[test]
    fn reads_the_documented_examples() {
        assert_eq!(parse_limit_info("api-usage=18/5000"), Some(usage(18, 5000)));
        assert_eq!(
            parse_limit_info("api-usage=10018/100000; api-bursts=1/750"),
            Some(usage(10018, 100000))
        );
        assert_eq!(
            parse_limit_info(
                "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)"
            ),
            Some(ApiUsage {
                used: 25,
                limit: 5000,
                per_app: Some(PerAppUsage {
                    used: 17,
                    limit: 250,
                    app: "sample-connected-app".into()
                }),
            })
        );
    }

    #[test]
    fn tolerates_spacing_order_and_case() {
        let expected = ApiUsage {
            used: 25,
            limit: 5000,
            per_app: Some(PerAppUsage {
                used: 17,
                limit: 250,
                app: "My App; v2, EU".into(),
            }),
        };
        for header in [
            "per-app-api-usage=17/250(appName=My App; v2, EU);api-usage=25/5000",
            "  API-Usage = 25 / 5000 ;  Per-App-Api-Usage=17/250( APPNAME = My App; v2, EU ) ",
            "api-bursts=1/750, api-usage=25/5000, per-app-api-usage=17/250(appName=My App; v2, EU)",
        ] {
            assert_eq!(parse_limit_info(header), Some(expected.clone()), "{header}");
        }
    }

    #[test]
    fn garbage_gives_none() {
        for header in [
            "",
            "garbage",
            "api-usage=",
            "api-usage=abc/5000",
            "api-usage=1/",
            "api-usage=-1/5",
            "api-bursts=1/750",
            "api-usage=99999999999999999999999/1",
            "per-app-api-usage=1/2(appName=x)",
        ] {
            assert_eq!(parse_limit_info(header), None, "{header}");
        }
    }

    #[test]
    fn malformed_per_app_segment_keeps_org_usage() {
        for header in [
            "api-usage=5/10; per-app-api-usage=1/2",
            "api-usage=5/10; per-app-api-usage=1/2(appName=)",
            "api-usage=5/10; per-app-api-usage=x/2(appName=a)",
            "api-usage=5/10; per-app-api-usage=1/2(app=a)",
        ] {
            assert_eq!(parse_limit_info(header), Some(usage(5, 10)), "{header}");
        }
    }

    #[test]
    fn remaining_never_goes_below_zero() {
        assert_eq!(usage(18, 5000).remaining(), 4982);
        assert_eq!(usage(5100, 5000).remaining(), 0);
    }

    proptest! {
        #[test]
        fn parse_never_panics(header in any::<String>()) {
            let _ = parse_limit_info(&header);
        }

        #[test]
        fn any_well_formed_header_round_trips(used in any::<u64>(), limit in any::<u64>(), app in "[A-Za-z0-9 _.-]{1,30}") {
            prop_assume!(!app.trim().is_empty());
            let header = format!("api-usage={used}/{limit}; per-app-api-usage=1/2(appName={app})");
            let parsed = parse_limit_info(&header);
            prop_assert_eq!(parsed.as_ref().map(|u| (u.used, u.limit)), Some((used, limit)));
            prop_assert_eq!(parsed.and_then(|u| u.per_app).map(|p| p.app), Some(app.trim().to_owned()));
        }
    }
}
