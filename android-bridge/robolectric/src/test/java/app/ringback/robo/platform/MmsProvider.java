package app.ringback.robo.platform;

import android.Manifest;
import android.content.ContentValues;
import android.content.pm.PackageManager;
import android.database.Cursor;
import android.database.sqlite.SQLiteDatabase;
import android.net.Uri;
import android.os.ParcelFileDescriptor;
import android.provider.Telephony.Mms;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code content://mms} as the phone's MmsProvider lays it out: messages ({@code
 * content://mms}, {@code content://mms/ID}), their addresses ({@code content://mms/ID/addr})
 * and parts ({@code content://mms/ID/part}) in SQLite tables with {@link Mms}, {@link
 * Mms.Addr} and {@link Mms.Part}'s column names, and a part's bytes through {@link
 * #openFile} of {@code content://mms/part/ID} (the framework's {@code
 * ContentResolver.openInputStream} path).
 */
public final class MmsProvider extends CountingProvider {
  private SQLiteDatabase db;
  private File partsDir;
  private final List<ParcelFileDescriptor> files = new ArrayList<>();

  @Override
  public boolean onCreate() {
    db = SQLiteDatabase.create(null);
    db.execSQL("CREATE TABLE pdu (" + Mms._ID + " INTEGER PRIMARY KEY, "
        + Mms.MESSAGE_BOX + " INTEGER, " + Mms.MESSAGE_TYPE + " INTEGER, "
        + Mms.DATE + " INTEGER, " + Mms.SUBSCRIPTION_ID + " INTEGER DEFAULT -1, "
        + Mms.CONTENT_LOCATION + " TEXT, " + Mms.TRANSACTION_ID + " TEXT, "
        + Mms.MESSAGE_SIZE + " INTEGER)");
    db.execSQL("CREATE TABLE addr (" + Mms.Addr._ID + " INTEGER PRIMARY KEY, "
        + Mms.Addr.MSG_ID + " INTEGER, " + Mms.Addr.ADDRESS + " TEXT, "
        + Mms.Addr.TYPE + " INTEGER, " + Mms.Addr.CHARSET + " INTEGER)");
    db.execSQL("CREATE TABLE part (" + Mms.Part._ID + " INTEGER PRIMARY KEY, "
        + Mms.Part.MSG_ID + " INTEGER, " + Mms.Part.CONTENT_TYPE + " TEXT, "
        + Mms.Part.NAME + " TEXT, " + Mms.Part.CONTENT_LOCATION + " TEXT, "
        + Mms.Part.CHARSET + " INTEGER, " + Mms.Part.TEXT + " TEXT, "
        + Mms.Part.FILENAME + " TEXT)");
    try {
      partsDir = File.createTempFile("mms-parts", "");
      partsDir.delete();
      partsDir.mkdirs();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return true;
  }

  public void addMessage(long id, int box, int type, long dateSeconds, Integer subscription,
      String contentLocation, String transactionId, long size) {
    ContentValues row = new ContentValues();
    row.put(Mms._ID, id);
    row.put(Mms.MESSAGE_BOX, box);
    row.put(Mms.MESSAGE_TYPE, type);
    row.put(Mms.DATE, dateSeconds);
    if (subscription != null) {
      row.put(Mms.SUBSCRIPTION_ID, subscription);
    }
    row.put(Mms.CONTENT_LOCATION, contentLocation);
    row.put(Mms.TRANSACTION_ID, transactionId);
    row.put(Mms.MESSAGE_SIZE, size);
    db.insertOrThrow("pdu", null, row);
  }

  public void removeMessage(long id) {
    db.delete("pdu", Mms._ID + " = ?", new String[] {Long.toString(id)});
    db.delete("addr", Mms.Addr.MSG_ID + " = ?", new String[] {Long.toString(id)});
    db.delete("part", Mms.Part.MSG_ID + " = ?", new String[] {Long.toString(id)});
  }

  public void addAddress(long messageId, String address, int type) {
    ContentValues row = new ContentValues();
    row.put(Mms.Addr.MSG_ID, messageId);
    row.put(Mms.Addr.ADDRESS, address);
    row.put(Mms.Addr.TYPE, type);
    db.insertOrThrow("addr", null, row);
  }

  /** A part; {@code bytes} null means its file is gone (openFile throws). */
  public void addPart(long messageId, long partId, String contentType, String name, String text,
      byte[] bytes) {
    ContentValues row = new ContentValues();
    row.put(Mms.Part._ID, partId);
    row.put(Mms.Part.MSG_ID, messageId);
    row.put(Mms.Part.CONTENT_TYPE, contentType);
    row.put(Mms.Part.NAME, name);
    row.put(Mms.Part.TEXT, text);
    db.insertOrThrow("part", null, row);
    if (bytes != null) {
      try (FileOutputStream out = new FileOutputStream(new File(partsDir, partId + ".bin"))) {
        out.write(bytes);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public Cursor query(
      Uri uri, String[] projection, String selection, String[] args, String sortOrder) {
    if (getContext().checkCallingOrSelfPermission(Manifest.permission.READ_SMS)
        != PackageManager.PERMISSION_GRANTED) {
      throw new SecurityException("Permission Denial: reading MmsProvider uri " + uri
          + " requires " + Manifest.permission.READ_SMS);
    }
    List<String> path = uri.getPathSegments();
    Cursor cursor;
    if (path.isEmpty()) {
      cursor = db.query("pdu", projection, selection, args, null, null, sortOrder);
    } else if (path.size() == 1) {
      cursor = db.query("pdu", projection, Mms._ID + " = ?", new String[] {path.get(0)}, null,
          null, sortOrder);
    } else if (path.size() == 2 && path.get(1).equals("addr")) {
      cursor = db.query("addr", projection, Mms.Addr.MSG_ID + " = ?",
          new String[] {path.get(0)}, null, null, sortOrder);
    } else if (path.size() == 2 && path.get(1).equals("part")) {
      cursor = db.query("part", projection, Mms.Part.MSG_ID + " = ?",
          new String[] {path.get(0)}, null, null, sortOrder);
    } else {
      throw new IllegalArgumentException("Unknown URI " + uri);
    }
    return handOut(cursor);
  }

  @Override
  public ParcelFileDescriptor openFile(Uri uri, String mode) throws FileNotFoundException {
    List<String> path = uri.getPathSegments();
    if (path.size() != 2 || !path.get(0).equals("part")) {
      throw new FileNotFoundException("Unknown URI " + uri);
    }
    File file = new File(partsDir, path.get(1) + ".bin");
    if (!file.exists()) {
      throw new FileNotFoundException("No part data for " + uri);
    }
    ParcelFileDescriptor descriptor =
        ParcelFileDescriptor.open(file, ParcelFileDescriptor.MODE_READ_ONLY);
    files.add(descriptor);
    return descriptor;
  }

  /** Closes the database (Robolectric never shuts providers down; the test does). */
  @Override
  public void shutdown() {
    db.close();
  }

  /** Part files opened so far (the shell tests: the bridge read a photo). */
  public int filesOpened() {
    return files.size();
  }

  /** Part files opened and not closed yet. */
  public int openFiles() {
    int open = 0;
    for (ParcelFileDescriptor file : files) {
      if (file.getFileDescriptor().valid()) {
        open++;
      }
    }
    return open;
  }
}
