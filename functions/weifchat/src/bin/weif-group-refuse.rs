//! `POST /group/refuse`: the owner refuses a join request (seed 003 #19).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::refuse)).await
}
