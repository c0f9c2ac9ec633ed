//! `GET /home/group`: a group's home with members and statistics (seed 003 #16).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::home)).await
}
