//! Creates the storage bucket `template.yaml` declares, on the S3 API server the SDK is pointed
//! at (locally, moto serves S3 beside DynamoDB).

use aws_sdk_s3::Client;

use crate::table::BoxError;

/// Creates bucket `name` unless it exists. Returns whether it created it.
pub async fn ensure_bucket(client: &Client, name: &str) -> Result<bool, BoxError> {
    if client.head_bucket().bucket(name).send().await.is_ok() {
        return Ok(false);
    }
    match client.create_bucket().bucket(name).send().await {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_bucket_already_owned_by_you() || se.is_bucket_already_exists()) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
