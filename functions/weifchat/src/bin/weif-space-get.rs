//! `GET /space/get`: the caller's feed: own and friends' moments (seed 003 #29).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::feed)).await
}
