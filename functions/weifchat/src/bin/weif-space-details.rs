//! `GET /space/details`: a user's space (seed 003 #31).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::details)).await
}
