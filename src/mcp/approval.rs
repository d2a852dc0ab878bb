//! `confirm_change`: asking the person. Form elicitation (`elicitation/create`) for 2025-06-18
//! and 2025-11-25 clients; an `InputRequiredResult` with a sealed, verified `requestState` for
//! 2026-07-28 clients; for clients without elicitation, where the person can approve it
//! themselves. Nothing returned here can approve a change by itself.

use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, ElicitRequest, ElicitRequestParams,
    ElicitationSchema, InputRequest, InputRequests, InputRequiredResult, InputResponses,
    ProtocolVersion, RequestStateCodec, SealOptions,
};
use rmcp::service::{ElicitationError, ElicitationMode, RequestContext};
use rmcp::{ErrorData, RoleServer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Mode, SalesforceMcp};
use crate::changes::{ChangeError, ChangeView, Decision, Via};
use crate::config::ApprovalPolicy;

/// The approval form: one boolean.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ApprovalForm {
    /// true to execute this change in Salesforce now; false to reject it.
    pub approve: bool,
}
rmcp::elicit_safe!(ApprovalForm);

/// The key of our one input request.
const INPUT_KEY: &str = "approval";

/// What the person answered.
enum Answer {
    Decided(Decision),
    /// The question could not be asked or answered; the change stays pending.
    Unanswered(String),
}

fn message(view: &ChangeView) -> String {
    format!(
        "Approve this Salesforce change?\n\n{}\n\nSet approve to true to execute it now, exactly once. Anything else rejects it and nothing is sent.",
        view.preview
    )
}

fn bound_to(user_id: i64, change_id: &str) -> String {
    format!("confirm_change|{user_id}|{change_id}")
}

/// Seals `change_id` into a `requestState` that opens only for this person and this change,
/// until `ttl` has passed.
pub fn seal_request_state(
    codec: &RequestStateCodec,
    user_id: i64,
    change_id: &str,
    ttl: std::time::Duration,
) -> String {
    let bound = bound_to(user_id, change_id);
    let options = SealOptions::new()
        .associated_data(bound.as_bytes())
        .ttl(ttl);
    codec.seal_with(change_id.as_bytes(), &options)
}

/// Whether `state` is a `requestState` from [`seal_request_state`] for this person and change,
/// unaltered and not expired.
pub fn request_state_is_for(
    codec: &RequestStateCodec,
    state: &str,
    user_id: i64,
    change_id: &str,
) -> bool {
    codec
        .open_with(state, bound_to(user_id, change_id).as_bytes())
        .is_ok_and(|payload| payload == change_id.as_bytes())
}

impl SalesforceMcp {
    /// Runs `confirm_change` for the caller.
    pub(super) async fn confirm(
        &self,
        user_id: i64,
        change_id: &str,
        responses: Option<InputResponses>,
        state: Option<String>,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let pending = async {
            let policies = self.changes.ensure_changes_allowed().await?;
            Ok((policies, self.changes.pending(user_id, change_id).await?))
        };
        let (policies, view) = match pending.await {
            Ok(both) => both,
            Err(e) => return Ok(self.change_error(e).into()),
        };
        if policies.approval.value == ApprovalPolicy::ClientConsent {
            return Ok(self
                .decided(user_id, &view, Decision::Approve, Via::ClientConsent)
                .await
                .into());
        }
        let mrtr = ctx
            .protocol_version()
            .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
        tracing::debug!(mrtr, answered = responses.is_some(), change = %view.change_id, "confirm_change");
        let answer = if mrtr {
            match responses {
                Some(responses) => {
                    self.mrtr_answer(user_id, &view, &responses, state.as_deref())
                        .await
                }
                None if can_elicit(ctx) => return self.ask_mrtr(user_id, &view).await,
                None => return Ok(self.awaiting(view, None).into()),
            }
        } else if ctx
            .peer
            .supported_elicitation_modes()
            .contains(&ElicitationMode::Form)
        {
            legacy_answer(ctx.peer.elicit::<ApprovalForm>(message(&view)).await)
        } else {
            return Ok(self.awaiting(view, None).into());
        };
        Ok(match answer {
            Answer::Decided(decision) => {
                self.decided(user_id, &view, decision, Via::Elicitation)
                    .await
            }
            Answer::Unanswered(why) => self.awaiting(view, Some(why)),
        }
        .into())
    }

    async fn decided(
        &self,
        user_id: i64,
        view: &ChangeView,
        decision: Decision,
        via: Via,
    ) -> CallToolResult {
        match self
            .changes
            .decide(user_id, &view.change_id, decision, via)
            .await
        {
            Ok(done) => change_result(&done),
            Err(e) => self.change_error(e),
        }
    }

    /// The change awaits approval: the text tells the person where they can give it. It is
    /// addressed to them, not an instruction for the model, and nothing in it grants approval:
    /// the command asks its question on the person's own terminal, the page needs their
    /// browser session.
    fn awaiting(&self, mut view: ChangeView, why: Option<String>) -> CallToolResult {
        let id = &view.change_id;
        let place = match self.mode.as_ref() {
            Mode::Stdio { cli_args, .. } => format!(
                "Approve it in your own terminal with `salesforce-mcp changes approve {id}{cli_args}`: \
                 it shows you the preview and asks you there, and no one can answer it for you. \
                 To drop it instead: `salesforce-mcp changes reject {id}{cli_args}`"
            ),
            Mode::Http { public_url } => format!(
                "Open {}/changes/{id} in your browser, signed in as yourself, and choose Approve or Reject",
                public_url.trim_end_matches('/')
            ),
        };
        let reason = why.map_or_else(
            || "Your MCP client cannot ask you to approve it".to_owned(),
            |why| crate::shown::escaped(&why),
        );
        let next = format!(
            "For the person: {reason}. Change {id} waits for your approval until {}, and nothing has been sent to Salesforce. {place}.",
            view.expires_at
        );
        view.next_step = Some(next.clone());
        let text = format!("{}\n\n{next}", view.preview);
        super::result(&view, text)
    }

    async fn codec(&self) -> Result<&RequestStateCodec, String> {
        self.state_codec
            .get_or_try_init(|| async {
                let key = self
                    .changes
                    .request_state_key()
                    .await
                    .map_err(|e| e.to_string())?;
                RequestStateCodec::try_new(key).map_err(|e| e.to_string())
            })
            .await
    }

    /// 2026-07-28: asks through an `InputRequiredResult`; the state is sealed to this person and change.
    async fn ask_mrtr(
        &self,
        user_id: i64,
        view: &ChangeView,
    ) -> Result<CallToolResponse, ErrorData> {
        let codec = match self.codec().await {
            Ok(codec) => codec,
            Err(e) => {
                return Ok(self
                    .awaiting(view.clone(), Some(format!("Could not ask you ({e})")))
                    .into());
            }
        };
        let ttl = chrono::DateTime::parse_from_rfc3339(&view.expires_at)
            .ok()
            .and_then(|at| {
                (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                    .to_std()
                    .ok()
            })
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1));
        let state = seal_request_state(codec, user_id, &view.change_id, ttl);
        let schema = ElicitationSchema::from_type::<ApprovalForm>()
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let request = ElicitRequest::new(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message(view),
            requested_schema: schema,
        });
        let requests: InputRequests =
            [(INPUT_KEY.to_owned(), InputRequest::Elicitation(request))].into();
        Ok(InputRequiredResult::new(Some(requests), Some(state)).into())
    }

    /// 2026-07-28: the person's answer, accepted only with a state we sealed for this person and change.
    async fn mrtr_answer(
        &self,
        user_id: i64,
        view: &ChangeView,
        responses: &InputResponses,
        state: Option<&str>,
    ) -> Answer {
        let verified = match (self.codec().await, state) {
            (Ok(codec), Some(state)) => {
                request_state_is_for(codec, state, user_id, &view.change_id)
            }
            _ => false,
        };
        if !verified {
            return Answer::Unanswered("The approval answer did not come with a valid request state for this change (call confirm_change again to be asked)".into());
        }
        let Some(response) = responses.get(INPUT_KEY) else {
            return Answer::Unanswered("No answer to the approval question arrived".into());
        };
        let approved =
            response["action"] == "accept" && response["content"]["approve"] == Value::Bool(true);
        Answer::Decided(if approved {
            Decision::Approve
        } else {
            Decision::Reject
        })
    }

    /// Turns a change error into a tool result with `isError`.
    pub(super) fn change_error(&self, e: ChangeError) -> CallToolResult {
        match e {
            ChangeError::Read(read) => self.error_result(read),
            // Not pending any more: an error that states its status, carrying the change (and
            // its first outcome) as structured content.
            ChangeError::NotPending(view) => {
                let text = ChangeError::NotPending(view.clone()).to_string();
                let mut r = super::result(view.as_ref(), text);
                r.is_error = Some(true);
                r
            }
            other => CallToolResult::error(vec![ContentBlock::text(other.to_string())]),
        }
    }
}

fn can_elicit(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.client_capabilities()
        .and_then(|c| c.elicitation)
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

fn legacy_answer(outcome: Result<Option<ApprovalForm>, ElicitationError>) -> Answer {
    match outcome {
        Ok(Some(ApprovalForm { approve: true })) => Answer::Decided(Decision::Approve),
        Ok(_)
        | Err(ElicitationError::UserDeclined)
        | Err(ElicitationError::UserCancelled)
        | Err(ElicitationError::NoContent)
        | Err(ElicitationError::ParseError { .. }) => Answer::Decided(Decision::Reject),
        Err(e) => Answer::Unanswered(format!("Could not ask you to approve it ({e})")),
    }
}

/// A freshly prepared change: the preview and what to do next.
pub(super) fn prepared_result(view: &ChangeView) -> CallToolResult {
    let text = format!(
        "{}\n\nNothing has changed in Salesforce. Call confirm_change with change_id \"{}\" to ask the person to approve it.",
        view.preview, view.change_id
    );
    super::result(view, text)
}

/// A change with its outcome as a tool result (an error result when it did not succeed).
pub(super) fn change_result(view: &ChangeView) -> CallToolResult {
    let text = format!("{}\n\n{}", view.preview, view.outcome_text());
    let mut r = super::result(view, text);
    let bad = ["failed", "conflict", "unknown"].contains(&view.status.as_str());
    r.is_error = Some(bad);
    r
}

/// One line per change, for `list_changes`.
pub(super) fn list_text(list: &crate::changes::ChangeList) -> String {
    if list.changes.is_empty() {
        return "You have no prepared changes.".to_owned();
    }
    list.changes
        .iter()
        .map(|c| {
            let mut line = format!(
                "{} {}: {} (expires {})",
                c.change_id, c.status, c.action, c.expires_at
            );
            if let Some(original) = &c.undoes {
                line.push_str(&format!("; undoes {original}"));
            }
            if let Some(undo) = &c.undone_by {
                line.push_str(&format!("; undone by {undo}"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_state_opens_only_for_its_person_and_change() {
        let codec = RequestStateCodec::try_new([9u8; 32]).unwrap();
        let ttl = std::time::Duration::from_secs(60);
        let state = seal_request_state(&codec, 7, "a0Kchange1", ttl);
        assert!(request_state_is_for(&codec, &state, 7, "a0Kchange1"));
        assert!(!request_state_is_for(&codec, &state, 8, "a0Kchange1"));
        assert!(!request_state_is_for(&codec, &state, 7, "a0Kchange2"));
        let other_key = RequestStateCodec::try_new([8u8; 32]).unwrap();
        assert!(!request_state_is_for(&other_key, &state, 7, "a0Kchange1"));
        let mut tampered = state.clone();
        tampered.push('A');
        assert!(!request_state_is_for(&codec, &tampered, 7, "a0Kchange1"));
    }
}
