package io.cloudportal.messaging;

/**
 * Where the broker put a published message.
 *
 * @param topic the topic
 * @param partition the partition or queue the message went to, or -1 where the backend has none
 * @param offset the offset within that partition, or -1 where the backend has none
 * @param messageId the backend's id for the message (offset-based where it has no ids of its own)
 */
public record PublishResult(String topic, int partition, long offset, String messageId) {
}
