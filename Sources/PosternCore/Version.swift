public enum PosternVersion {
    public static let current = "0.1.0"
}
