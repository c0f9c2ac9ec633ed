//! `POST /friend/refuse`: refuse a friend request (seed 003 #13).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::friends::refuse)).await
}
