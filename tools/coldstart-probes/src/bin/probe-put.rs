//! The one-PutItem probe: a `lambda_http` function that writes one item per request, with the
//! functions' SDK versions and client configuration (`shared::state::dynamo_config`), and
//! nothing else of theirs: no telemetry, no metrics, no warm-up. It writes to a table of its own
//! (`TABLE_NAME`, which the cold-start tool creates for it), so its keys meet no surface's.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE_NAME")?;
    let sdk = shared::state::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::from_conf(shared::state::dynamo_config(&sdk).build());
    let (client, table) = (&client, table.as_str());
    lambda_http::run(service_fn(move |_: Request| async move {
        let id = uuid::Uuid::new_v4().to_string();
        client
            .put_item()
            .table_name(table)
            .item(shared::keys::PK, AttributeValue::S(id))
            .item(shared::keys::SK, AttributeValue::S("probe".into()))
            .send()
            .await?;
        Ok::<_, Error>(Response::new(Body::from("put")))
    }))
    .await
}
