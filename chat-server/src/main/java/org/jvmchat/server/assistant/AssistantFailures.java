package org.jvmchat.server.assistant;

import org.jvmchat.ai.AssistantException;
import org.jvmchat.server.chat.ChatService;

/**
 * Short, readable wording for an assistant failure, as shown in a room or a hub error. It names the
 * kind of failure and the HTTP status, and never the endpoint, the key or a stack trace; the full
 * {@link AssistantException#getMessage()} goes to the server log.
 */
final class AssistantFailures {
  private AssistantFailures() {}

  static String describe(Throwable error, String model) {
    if (!(ChatService.unwrap(error) instanceof AssistantException ae)) {
      return "an unexpected error occurred on the server";
    }
    String status = ae.httpStatus().isPresent() ? " (HTTP " + ae.httpStatus().getAsInt() + ")" : "";
    switch (ae.reason()) {
      case BAD_KEY:
        return "the provider rejected the API key"
            + status
            + "; the server's OPENAI_API_KEY must be fixed";
      case UNKNOWN_MODEL:
        return "the provider does not know the model '" + model + "'" + status;
      case BAD_REQUEST:
        return "the provider refused the request"
            + status
            + ae.providerMessage().map(m -> ": " + clip(m)).orElse("");
      case RATE_LIMITED:
        return "the provider is limiting this server's requests" + status + "; try again later";
      case UNREACHABLE:
        return "the provider could not be reached or the connection broke";
      case TIMEOUT:
        return "the provider did not answer in time";
      case SERVER_ERROR:
        return "the provider failed" + status;
      case BAD_RESPONSE:
        return "the provider's answer could not be read";
      case BUSY:
        return "too many answers are being written right now; try again shortly";
      case CLOSED:
        return "the server is shutting down";
      default:
        return "it failed" + status;
    }
  }

  private static String clip(String s) {
    String oneLine = s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "…";
  }
}
