//! `weif-profile-copies`: on the table's stream, carries a user's profile changes to the copies
//! on their friends' edges (weifchat::feed::copy_profiles).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_stream(weifchat::feed::copy_profiles).await
}
