//! `GET /home/user`: a user's home with the caller's friendState (seed 003 #3).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::users::home)).await
}
