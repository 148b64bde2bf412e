// Runs Neo4j Community 5.26 embedded with Bolt on 127.0.0.1, for the local stack and tests.
// Usage: java -cp '<lib>/*' Launcher.java <data-dir> <bolt-port> [page-cache] [setting=value ...]
// (settings by their neo4j.conf names, e.g. db.logs.query.enabled=VERBOSE, for diagnosis).
// Prints "NEO4J READY bolt://127.0.0.1:<port>" once Bolt accepts connections, then blocks
// until the process is signalled (no stdin is read: CI has none).
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

public class Launcher {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Launcher <data-dir> <bolt-port> [page-cache]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String pageCache = args.length > 2 ? args[2] : "128m";
        SocketAddress bolt = new SocketAddress("127.0.0.1", port);
        // The embedded builder takes settings by name only from a file.
        List<String> extra = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            if (!args[i].contains("=")) {
                System.err.println("not a setting=value pair: " + args[i]);
                System.exit(2);
            }
            extra.add(args[i]);
        }
        Files.createDirectories(home);
        Path extraConf = home.resolve("launcher-extra.conf");
        Files.write(extraConf, extra);

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(extraConf)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, org.neo4j.io.ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                .build();
        // SIGTERM / SIGINT: shut the database down cleanly so the store is consistent.
        Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown));
        // Touch the default database so "ready" means queries will be answered.
        service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
