# syntax=docker/dockerfile:1
# chorus-dht container image (README, "Kubernetes"):
#
#   docker build -t chorus-dht:0.1.0 .
#
# Stage 1 builds the Spring Boot jar with the Maven wrapper on a JDK 25 and extracts its layers;
# stage 2 runs them on a JRE 25 as a non-root user. HTTP on 8080, libp2p on 4001, data in
# /var/lib/chorus (a volume; the Helm chart mounts a PersistentVolumeClaim there).

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY src/ src/
COPY config/ config/
# The cache mount keeps ~/.m2 between builds; tests run in CI, not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -q package -DskipTests \
 && cp target/chorus-dht-*.jar /tmp/app.jar \
 && java -Djarmode=tools -jar /tmp/app.jar extract --layers --launcher --destination /extracted

FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 chorus \
 && useradd --system --uid 10001 --gid chorus --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin chorus \
 && mkdir -p /var/lib/chorus \
 && chown chorus:chorus /var/lib/chorus
WORKDIR /app
# least often changed first, so a code change rebuilds only the last layer
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
ENV CHORUS_DATA_DIR=/var/lib/chorus \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
VOLUME /var/lib/chorus
EXPOSE 8080 4001
USER 10001:10001
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
