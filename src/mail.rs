//! Invite emails: sent over SMTP when configured, otherwise the accept instructions are logged.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpConfig;

#[derive(Clone)]
pub struct Mailer {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Mailer {
    pub fn from_config(cfg: Option<&SmtpConfig>) -> Mailer {
        let smtp = cfg.and_then(|c| {
            let from: Mailbox = match c.from.parse() {
                Ok(f) => f,
                Err(e) => {
                    tracing::error!(from = %c.from, error = %e, "invalid smtp.from; invites will be logged instead");
                    return None;
                }
            };
            // Plain SMTP (optionally with AUTH): meant for a local relay or sink.
            let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host).port(c.port);
            if let (Some(u), Some(p)) = (&c.username, &c.password) {
                b = b.credentials(Credentials::new(u.clone(), p.clone()));
            }
            Some((b.build(), from))
        });
        Mailer { smtp }
    }

    pub fn is_smtp(&self) -> bool {
        self.smtp.is_some()
    }

    /// Sends the invite for `email`. `link` carries the one-time token.
    pub async fn send_invite(&self, org_name: &str, email: &str, link: &str, token: &str) -> anyhow::Result<()> {
        let body = format!(
            "You have been invited to the {org_name} organization on Kontrol.\n\n\
             Accept the invitation here: {link}\n\n\
             or with the API:\n  POST /v2/accept-invite\n  {{\"token\": \"{token}\", \"full_name\": \"…\", \"password\": \"…\"}}\n"
        );
        match &self.smtp {
            Some((transport, from)) => {
                let msg = Message::builder()
                    .from(from.clone())
                    .to(email.parse()?)
                    .subject(format!("You have been invited to {org_name}"))
                    .body(body)?;
                transport.send(msg).await?;
                tracing::info!(to = %email, "invite email sent");
            }
            None => {
                tracing::info!(to = %email, %link, "invite created (no SMTP configured): {body}");
            }
        }
        Ok(())
    }
}
