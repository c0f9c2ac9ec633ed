//! Dollars per million calls, from measured units and time, at [`crate::prices`]; and each
//! function's memory from `template.yaml`.

use std::collections::BTreeMap;

use serde_yaml::Value;

use crate::prices;

/// What one call of an endpoint costs, in dollars per million calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub dynamodb: f64,
    /// API Gateway (HTTP API request or WebSocket message).
    pub gateway: f64,
    pub lambda: f64,
}

impl Cost {
    pub fn total(&self) -> f64 {
        self.dynamodb + self.gateway + self.lambda
    }
}

/// The cost of a call that used `rru` and `wru`, ran `ms` milliseconds (billed per started
/// millisecond) in a function of `memory_mb`, behind the HTTP API (or a WebSocket message).
pub fn per_million(rru: f64, wru: f64, ms: f64, memory_mb: u64, websocket: bool) -> Cost {
    let billed_s = ms.ceil().max(1.0) / 1000.0;
    let gb_s = memory_mb as f64 / 1024.0 * billed_s;
    Cost {
        dynamodb: rru * prices::DYNAMODB_PER_MILLION_RRU + wru * prices::DYNAMODB_PER_MILLION_WRU,
        gateway: if websocket {
            prices::WEBSOCKET_PER_MILLION_MESSAGES
        } else {
            prices::HTTP_API_PER_MILLION
        },
        lambda: prices::LAMBDA_PER_MILLION_REQUESTS + gb_s * prices::LAMBDA_PER_GB_SECOND_ARM64 * 1e6,
    }
}

/// Each function binary's memory in MB: its `MemorySize`, else the `Globals`' one.
pub fn memory_by_binary(template: &str) -> BTreeMap<String, u64> {
    let doc: Value = serde_yaml::from_str(template).unwrap_or(Value::Null);
    let global = doc["Globals"]["Function"]["MemorySize"].as_u64().unwrap_or(128);
    let mut out = BTreeMap::new();
    if let Some(resources) = doc["Resources"].as_mapping() {
        for resource in resources.values() {
            if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
                continue;
            }
            if let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() {
                let memory = resource["Properties"]["MemorySize"].as_u64().unwrap_or(global);
                out.insert(binary.to_owned(), memory);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_costs_its_units_its_request_and_its_gb_seconds() {
        // 4 WRU + 2 RRU, 20 ms at 128 MB: 2.5 + 0.25 DynamoDB, 1 HTTP API, 0.2 + 0.125 * 0.02 * 13.3334 Lambda.
        let c = per_million(2.0, 4.0, 19.2, 128, false);
        assert!((c.dynamodb - 2.75).abs() < 1e-9, "{c:?}");
        assert!((c.gateway - 1.0).abs() < 1e-9, "{c:?}");
        assert!((c.lambda - (0.2 + 0.125 * 0.020 * 13.3334)).abs() < 1e-9, "{c:?}");
        assert!((c.total() - (c.dynamodb + c.gateway + c.lambda)).abs() < 1e-12);
        let floor = per_million(0.0, 0.0, 0.2, 1024, true);
        assert!(
            (floor.lambda - (0.2 + 0.001 * 13.3334)).abs() < 1e-9,
            "at least 1 ms is billed: {floor:?}"
        );
    }

    #[test]
    fn memory_comes_from_the_function_or_the_globals() {
        let template = r#"
Globals:
  Function:
    MemorySize: 256
Resources:
  A:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: a}}
    Properties: {Handler: bootstrap}
  B:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: b}}
    Properties: {MemorySize: 512, Role: !Ref R}
  T:
    Type: AWS::DynamoDB::Table
"#;
        let m = memory_by_binary(template);
        assert_eq!(m, BTreeMap::from([("a".to_owned(), 256), ("b".to_owned(), 512)]));
    }
}
