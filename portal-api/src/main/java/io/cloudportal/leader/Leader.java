package io.cloudportal.leader;

/**
 * The leader of an election.
 *
 * @param candidateId the id the leader joined with
 * @param term the leader's term; each new leader has a greater term than every earlier one
 */
public record Leader(String candidateId, long term) {
}
