//! `POST /update/user`: update the caller's profile (seed 003 #6).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::users::update)).await
}
