# syntax=docker/dockerfile:1
# The chat server as an OCI image (docs/DEPLOYING.md):
#   docker build -t jvmchat/chat-server:0.1.0-SNAPSHOT .
#   docker run --rm -p 8080:8080 jvmchat/chat-server:0.1.0-SNAPSHOT
# Three stages: npm (the official @microsoft/signalr browser bundles the chat page serves), build
# (Maven on a Temurin 17 JDK), runtime (Temurin 17 JRE, non-root). The feature tour is in the image
# too: docker run --rm -p 8080:8080 --entrypoint java <image> -jar /app/feature-tour.jar

# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS npm
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# ---------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY --from=npm /src/node_modules ./node_modules
COPY . .
# node_modules comes from the npm stage: the root pom's own `npm ci` is replaced by `true`.
# The image is Linux: the embedded PostgreSQL's macOS binaries (142 MB) stay out of its jar.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Dspotless.check.skip=true -Dnpm.executable=true \
        '-Dchat.shade.excludeBinaries=postgres-darwin-*.txz' \
        -pl chat-server,examples -am package

# ---------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre AS runtime
RUN groupadd --system --gid 10001 chat \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin chat \
 && mkdir -p /app /var/lib/chat \
 && chown 10001:10001 /var/lib/chat
WORKDIR /app
COPY --from=build /src/chat-server/target/chat-server.jar /app/chat-server.jar
COPY --from=build /src/examples/target/feature-tour.jar /app/feature-tour.jar

# PORT is honoured by the server (every endpoint and transport). The image runs in Production:
# it needs JWT_SECRET (or JWT_AUTHORITY / JWT_JWKS_URL) and issues no dev tokens; pass
# -e CHAT_ENVIRONMENT=Development to try it out. The embedded PostgreSQL (used only without
# DATABASE_URL) keeps its data under /var/lib/chat, writable by the chat user.
# JAVA_TOOL_OPTIONS sizes the heap from the container's memory limit; replace it to tune the JVM
# (keep -XX:MaxRAMPercentage in it).
ENV PORT=8080 \
    CHAT_ENVIRONMENT=Production \
    CHAT_DATA_DIR=/var/lib/chat/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
USER 10001:10001

# No curl or wget in the JRE image: a small Java class asks /health/live on $PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["java", "-Xmx16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", "/app/chat-server.jar", "org.jvmchat.server.ops.HealthCheck"]

# Exec form: java is PID 1 and gets SIGTERM itself (readiness 503, Close with allowReconnect to
# every client, at most shutdownGrace (10 s) for in-flight work, exit status 143).
ENTRYPOINT ["java", "-jar", "/app/chat-server.jar"]
