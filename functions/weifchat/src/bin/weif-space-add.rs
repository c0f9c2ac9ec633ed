//! `POST /space/add`: publish a space moment (seed 003 #28).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::add)).await
}
