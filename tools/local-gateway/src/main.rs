//! `make dev`: the whole API on 127.0.0.1:$PORT (default 3000): HTTP at `http://127.0.0.1:$PORT`
//! and the WebSocket API at `ws://127.0.0.1:$PORT/<stage>` (`/ws`).
//!
//! Needs `AWS_ENDPOINT_URL_DYNAMODB` (the local DynamoDB API server; it refuses to run against
//! AWS itself) and `AWS_ENDPOINT_URL_S3`, `TOKEN_SECRET`, and optionally `TABLE_NAME` (default
//! `social-local`), `STORAGE_BUCKET` (default `social-local-storage`), `PORT`, `TEMPLATE`
//! (default the workspace's `template.yaml`).

use std::sync::Arc;

use local_gateway::{Gateway, Template, all_functions, bucket, table, template_path};
use shared::config::Config;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    shared::telemetry::init();
    for endpoint in ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"] {
        if std::env::var_os(endpoint).is_none() {
            return Err(format!("{endpoint} is not set: the local gateway only runs against local API servers").into());
        }
    }
    let template_file = std::env::var("TEMPLATE")
        .map(Into::into)
        .unwrap_or_else(|_| template_path());
    let template = Template::load(&template_file)?;
    let table_name = std::env::var("TABLE_NAME").unwrap_or_else(|_| "social-local".into());
    let bucket_name = std::env::var("STORAGE_BUCKET").unwrap_or_else(|_| "social-local-storage".into());
    let config = Config::from_lookup(|k| match k {
        "TABLE_NAME" => Some(table_name.clone()),
        "STORAGE_BUCKET" => Some(bucket_name.clone()),
        other => std::env::var(other).ok(),
    })?;
    let sdk = shared::state::sdk_config().await;
    let created = table::ensure_table(&aws_sdk_dynamodb::Client::new(&sdk), &table_name, &template.table).await?;
    tracing::info!(table = %table_name, created, "table ready");
    if template.bucket.is_some() {
        let s3 = aws_sdk_s3::Client::from_conf(shared::state::s3_config(&sdk).build());
        let created = bucket::ensure_bucket(&s3, &bucket_name).await?;
        tracing::info!(bucket = %bucket_name, created, "bucket ready");
    }

    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(3000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let gateway = Arc::new(Gateway::new(
        &template,
        all_functions(),
        &config,
        &sdk,
        listener.local_addr()?,
    )?);
    println!(
        "Local API ready at {} ({} routes from {})",
        gateway.url(),
        gateway.route_count(),
        template_file.display()
    );
    if let Some(ws_url) = gateway.ws_url() {
        println!(
            "WebSocket API ready at {ws_url} ({} routes)",
            gateway.socket_route_count()
        );
    }
    // The functions on the table's stream (the counters' upkeep), fed as in AWS.
    let _readers = gateway.start_streams().await?;
    tokio::select! {
        served = gateway.serve(listener) => served?,
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(())
}
