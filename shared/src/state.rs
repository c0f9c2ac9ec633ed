//! What lives for a whole container: configuration, the store and the token keys.

use crate::auth::Tokens;
use crate::chatx::ChatxStore;
use crate::config::Config;
use crate::nobase::NobaseStore;
use crate::store::Store;
use crate::weifchat::WeifStore;

pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub tokens: Tokens,
}

impl AppState {
    pub fn new(config: Config, dynamo: aws_sdk_dynamodb::Client) -> Self {
        let store = Store::new(dynamo, config.table_name.as_str());
        let tokens = Tokens::new(config.token_secret.expose(), config.token_ttl_secs);
        Self { config, store, tokens }
    }

    /// Reads the configuration from the environment and builds the SDK client, which honours
    /// `AWS_ENDPOINT_URL_DYNAMODB` and the usual credential chain.
    pub async fn from_env() -> Result<Self, lambda_http::Error> {
        let config = Config::from_env()?;
        let sdk = sdk_config().await;
        Ok(Self::new(config, aws_sdk_dynamodb::Client::new(&sdk)))
    }

    pub fn chatx(&self) -> ChatxStore<'_> {
        ChatxStore::new(&self.store)
    }

    pub fn nobase(&self) -> NobaseStore<'_> {
        NobaseStore::new(&self.store)
    }

    pub fn weifchat(&self) -> WeifStore {
        WeifStore::new(&self.store)
    }
}

/// The AWS SDK configuration from the environment.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}
